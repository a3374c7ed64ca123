#include "pipeline/image_model.h"

#include <algorithm>
#include <cmath>
#include <new>

namespace toonbox {

namespace {

const Node* producer_of(const Graph& g, int value) {
  // Follow aliases (Identity, Reshape of the same data) back to a compute op.
  for (int guard = 0; guard < 16; ++guard) {
    const int p = g.value(value).producer;
    if (p < 0) return nullptr;
    const Node& n = g.nodes()[p];
    if (n.kind == OpKind::kIdentity || n.kind == OpKind::kTranspose || n.kind == OpKind::kReshape) {
      value = n.inputs[0];
      continue;
    }
    return &n;
  }
  return nullptr;
}

}  // namespace

Result<Layout> parse_layout(const std::string& s) {
  if (s == "nchw" || s == "NCHW") return Layout::kNCHW;
  if (s == "nhwc" || s == "NHWC") return Layout::kNHWC;
  return invalid_argument("layout must be nchw or nhwc, got '" + s + "'");
}

Result<ChannelOrder> parse_channel_order(const std::string& s) {
  if (s == "rgb" || s == "RGB") return ChannelOrder::kRgb;
  if (s == "bgr" || s == "BGR") return ChannelOrder::kBgr;
  return invalid_argument("channel order must be rgb or bgr, got '" + s + "'");
}

Result<ValueRange> parse_value_range(const std::string& s) {
  const size_t comma = s.find(',');
  try {
    if (comma == std::string::npos) throw std::invalid_argument("");
    ValueRange r{std::stof(s.substr(0, comma)), std::stof(s.substr(comma + 1))};
    if (!(r.hi > r.lo) || !std::isfinite(r.lo) || !std::isfinite(r.hi))
      throw std::invalid_argument("");
    return r;
  } catch (...) {
    return invalid_argument("range must be LO,HI with LO < HI (e.g. -1,1 or 0,255), got '" + s +
                            "'");
  }
}

Result<ImageModelSpec> detect_image_model_spec(const Graph& g, const ImageModelOverrides& o) {
  if (g.inputs().size() != 1)
    return invalid_argument("an image model has one input; this one has " +
                            std::to_string(g.inputs().size()));
  const Value& in = g.value(g.inputs()[0]);
  if (in.shape.size() != 4)
    return invalid_argument("input '" + in.name + "' is " + shape_to_string(in.shape) +
                            "; an image model takes [N,C,H,W] or [N,H,W,C]");
  ImageModelSpec s;
  std::string why;
  if (o.layout) {
    s.layout = *o.layout;
    why += "layout from --layout";
  } else {
    const int64_t d1 = in.shape[1], d3 = in.shape[3];
    const bool c1 = d1 == 3 || d1 == 1, c3 = d3 == 3 || d3 == 1;
    if (c3 && !c1)
      s.layout = Layout::kNHWC;
    else
      s.layout = Layout::kNCHW;
    why += std::string("layout ") + (s.layout == Layout::kNHWC ? "NHWC" : "NCHW") +
           " from input shape " + shape_to_string(in.shape) +
           (c1 == c3 ? " (ambiguous: NCHW assumed)" : "");
  }
  const int64_t c = s.layout == Layout::kNHWC ? in.shape[3] : in.shape[1];
  if (c != 3 && c != -1)
    return invalid_argument("input '" + in.name + "' has " + std::to_string(c) +
                            " channels; `run` feeds RGB images (3 channels)");
  s.channels = o.channels.value_or(ChannelOrder::kRgb);
  why += std::string(", ") + (s.channels == ChannelOrder::kRgb ? "RGB" : "BGR") +
         (o.channels ? " from --channels" : " (default)");
  if (o.output_range) {
    s.output_range = *o.output_range;
    why += ", output range from --range";
  } else {
    const Node* last = g.outputs().empty() ? nullptr : producer_of(g, g.outputs()[0]);
    if (last && last->kind == OpKind::kUnary && last->p<UnaryParams>().op == UnaryOp::kTanh) {
      s.output_range = {-1.f, 1.f};
      why += ", range [-1,1] (output is a Tanh)";
    } else if (last && last->kind == OpKind::kUnary &&
               last->p<UnaryParams>().op == UnaryOp::kSigmoid) {
      s.output_range = {0.f, 1.f};
      why += ", range [0,1] (output is a Sigmoid)";
    } else if (last && last->kind == OpKind::kUnary &&
               last->p<UnaryParams>().op == UnaryOp::kClip) {
      s.output_range = {last->p<UnaryParams>().alpha, last->p<UnaryParams>().beta};
      why += ", range from the output Clip";
    } else {
      s.output_range = {0.f, 1.f};
      why += ", range [0,1] (not detectable: default; see --range)";
    }
  }
  s.input_range = o.input_range.value_or(s.output_range);
  s.multiple = o.multiple.value_or(16);
  if (s.multiple < 1 || s.multiple > 1024) return invalid_argument("--multiple must be 1..1024");
  why += ", H and W padded to a multiple of " + std::to_string(s.multiple);
  s.detected = why;
  return s;
}

Result<Image> run_image_model(Session& session, const ImageModelSpec& spec, const Image& img,
                              RunReport* report) {
  const int w = img.width, h = img.height;
  const int m = spec.multiple;
  const int pw = (w + m - 1) / m * m, ph = (h + m - 1) / m * m;
  const bool nhwc = spec.layout == Layout::kNHWC;
  Tensor x(DType::kFloat32, nhwc ? Shape{1, ph, pw, 3} : Shape{1, 3, ph, pw});
  if (x.empty()) throw std::bad_alloc();  // an empty tensor would be written through null
  const float scale_in = (spec.input_range.hi - spec.input_range.lo) / 255.f;
  float* xd = x.data<float>();
  for (int y = 0; y < ph; ++y)
    for (int xx = 0; xx < pw; ++xx) {
      const uint8_t* px =
          &img.rgb[(static_cast<size_t>(std::min(y, h - 1)) * w + std::min(xx, w - 1)) * 3];
      for (int c = 0; c < 3; ++c) {
        const int src = spec.channels == ChannelOrder::kRgb ? c : 2 - c;
        const float v = spec.input_range.lo + px[src] * scale_in;
        xd[nhwc ? (static_cast<size_t>(y) * pw + xx) * 3 + c
                : (static_cast<size_t>(c) * ph + y) * pw + xx] = v;
      }
    }
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session.run({x}, report));
  const Tensor& out = outs.at(0);
  if (out.rank() != 4)
    return invalid_argument("output is " + shape_to_string(out.shape()) + ", not an image");
  const int64_t oc = nhwc ? out.dim(3) : out.dim(1), oh = nhwc ? out.dim(1) : out.dim(2),
                ow = nhwc ? out.dim(2) : out.dim(3);
  if (oc != 3 && oc != 1)
    return invalid_argument("output has " + std::to_string(oc) + " channels, not an image");
  // Output scale (1 for stylization, 2/4 for upscalers) from the padded sizes.
  const double sy = static_cast<double>(oh) / ph, sx = static_cast<double>(ow) / pw;
  Image result;
  result.width = static_cast<int>(std::lround(w * sx));
  result.height = static_cast<int>(std::lround(h * sy));
  result.rgb.resize(static_cast<size_t>(result.width) * result.height * 3);
  const float range = spec.output_range.hi - spec.output_range.lo;
  const float* od = out.data<float>();
  for (int y = 0; y < result.height; ++y)
    for (int xx = 0; xx < result.width; ++xx)
      for (int c = 0; c < 3; ++c) {
        const int ch = oc == 1 ? 0 : (spec.channels == ChannelOrder::kRgb ? c : 2 - c);
        const float v = od[nhwc ? (static_cast<size_t>(y) * ow + xx) * oc + ch
                                : (static_cast<size_t>(ch) * oh + y) * ow + xx];
        const float u = (v - spec.output_range.lo) / range * 255.f;
        result.rgb[(static_cast<size_t>(y) * result.width + xx) * 3 + c] =
            static_cast<uint8_t>(std::lround(std::clamp(u, 0.f, 255.f)));
      }
  if (img.has_alpha() && result.width == w && result.height == h) result.alpha = img.alpha;
  return result;
}

}  // namespace toonbox
