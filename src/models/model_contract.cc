#include "models/model_contract.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace toonbox::models {

Result<ChannelOrder> parse_channel_order(const std::string& s) {
  if (s == "rgb" || s == "RGB") return ChannelOrder::kRgb;
  if (s == "bgr" || s == "BGR") return ChannelOrder::kBgr;
  return invalid_argument("channel order must be rgb or bgr, got '" + s.substr(0, 40) + "'");
}

const char* channel_order_name(ChannelOrder c) { return c == ChannelOrder::kBgr ? "BGR" : "RGB"; }

Result<ValueRange> parse_value_range(const std::string& s) {
  const size_t comma = s.find(',');
  try {
    if (comma == std::string::npos) throw std::invalid_argument("");
    size_t used_lo = 0, used_hi = 0;
    const std::string lo = s.substr(0, comma), hi = s.substr(comma + 1);
    ValueRange r{std::stof(lo, &used_lo), std::stof(hi, &used_hi)};
    if (used_lo != lo.size() || used_hi != hi.size() || !(r.hi > r.lo) || !std::isfinite(r.lo) ||
        !std::isfinite(r.hi))
      throw std::invalid_argument("");
    return r;
  } catch (...) {
    return invalid_argument("range must be LO,HI with LO < HI (e.g. -1,1 or 0,255), got '" + s.substr(0, 40) +
                            "'");
  }
}

std::string value_range_string(const ValueRange& r) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%g,%g]", r.lo, r.hi);
  return buf;
}

Result<graph::Layout> parse_layout(const std::string& s) {
  if (s == "nchw" || s == "NCHW") return graph::Layout::kNCHW;
  if (s == "nhwc" || s == "NHWC") return graph::Layout::kNHWC;
  return invalid_argument("layout must be nchw or nhwc, got '" + s.substr(0, 40) + "'");
}

const char* role_name(ModelRole role) {
  switch (role) {
    case ModelRole::kStyle: return "style";
    case ModelRole::kFaceDetector: return "face-detector";
    case ModelRole::kImageModel: return "image-model";
    case ModelRole::kFaceRestorer: return "face-restorer";
    case ModelRole::kInpainter: return "inpainter";
  }
  return "?";
}

Result<MaskContract> parse_mask_convention(const std::string& s) {
  MaskContract m;
  m.present = true;
  if (s == "lama") return m;
  if (s == "migan") {
    m.hole_value = 0.f;
    m.known_value = 255.f;
    return m;
  }
  float hole = 0, known = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "hole=%f,known=%f%c", &hole, &known, &tail) != 2 || !std::isfinite(hole) ||
      !std::isfinite(known) || hole == known)
    return invalid_argument("mask convention must be hole=V,known=V with two different values (e.g. hole=1,known=0), "
                            "lama or migan; got '" + s.substr(0, 40) + "'");
  m.hole_value = hole;
  m.known_value = known;
  return m;
}

std::string mask_convention_string(const MaskContract& m) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "mask %g = remove, %g = keep", m.hole_value, m.known_value);
  return buf;
}

std::string describe_contract(const ImageContract& c) {
  std::string s = c.layout == graph::Layout::kNHWC ? "NHWC " : "NCHW ";
  s += channel_order_name(c.channels);
  s += " in " + value_range_string(c.input_range) + ", out " + value_range_string(c.output_range);
  s += ", H and W padded to a multiple of " + std::to_string(c.size_multiple);
  if (c.scale != 1) s += ", output x" + std::to_string(c.scale);
  if (c.prepadding > 0) s += ", " + std::to_string(c.prepadding) + " px reflect prepadding";
  if (c.processing.max_short_side > 0)
    s += ", run with the short side at most " + std::to_string(c.processing.max_short_side) + " px";
  if (c.processing.min_side > 0) s += ", sides at least " + std::to_string(c.processing.min_side) + " px";
  if (c.mask.present) s += ", " + mask_convention_string(c.mask);
  return s;
}

const char* mask_convention_name(MaskConvention m) {
  switch (m) {
    case MaskConvention::kNone: return "none";
    case MaskConvention::kOneIsHole: return "float, 1 = fill";
    case MaskConvention::kZeroIsHole: return "float, 1 = known";
    case MaskConvention::kByte255IsKnown: return "uint8, 255 = known";
  }
  return "?";
}

}  // namespace toonbox::models
