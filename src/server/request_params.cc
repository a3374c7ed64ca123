#include "server/request_params.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/dtype.h"
#include "pipeline/processing_size.h"

namespace toonbox::server {

namespace {

bool parse_int(const std::string& s, int* out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && p == end && !s.empty();
}

bool parse_float(const std::string& s, float* out) {
  // Plain decimals only ("0.5", "1", ".25"): strtod alone would also take " 1", "0x1", "inf".
  if (s.empty() || s.size() > 32 || s == "." || std::count(s.begin(), s.end(), '.') > 1 ||
      s.find_first_not_of("0123456789.") != std::string::npos)
    return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = static_cast<float>(v);
  return true;
}

bool valid_model_name(const std::string& s) {
  // Names only, never paths: a client must not make the server open files of its choice.
  if (s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  }) && s.find("..") == std::string::npos && (s.empty() || s[0] != '.');
}

}  // namespace

Result<Fields> request_fields(const Request& req) {
  Fields fields;
  for (const auto& [k, v] : req.params) fields.emplace_back(k, v);
  for (const auto& [name, part] : req.files) {
    if (name == "image" || name == "images" || !part.filename.empty()) continue;
    if (part.content.size() > 200) return invalid_argument("form field '" + name.substr(0, 40) + "' is too long");
    fields.emplace_back(name, part.content);
  }
  return fields;
}

Result<bool> parse_common_param(const std::string& name, const std::string& value,
                                std::string* model, std::string* precision,
                                image::ImageFormat* format, int* quality) {
  if (name == "model") {
    if (!valid_model_name(value))
      return invalid_argument("model: '" + value.substr(0, 80) + "' is not a model name (see GET /api/v1/models)");
    *model = value == "default" ? "" : value;
  } else if (name == "precision") {
    if (value != "auto" && !precision_from_name(value))
      return invalid_argument("precision must be auto, fp32, tf32 or fp16, got '" + value.substr(0, 40) + "'");
    *precision = value;
  } else if (name == "format") {
    if (value == "png")
      *format = image::ImageFormat::kPng;
    else if (value == "jpeg" || value == "jpg")
      *format = image::ImageFormat::kJpeg;
    else if (value == "webp")
      *format = image::ImageFormat::kWebp;
    else return invalid_argument("format must be png, jpeg or webp, got '" + value.substr(0, 40) + "'");
  } else if (name == "quality") {
    int v = 0;
    if (!parse_int(value, &v) || v < 1 || v > 100)
      return invalid_argument("quality must be 1..100, got '" + value.substr(0, 40) + "'");
    *quality = v;
  } else {
    return false;
  }
  return true;
}

Result<int> integer_param(const std::string& name, const std::string& value, int lo, int hi) {
  int v = 0;
  if (parse_int(value, &v) && v >= lo && v <= hi) return v;
  return invalid_argument(name + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                          ", got '" + value.substr(0, 40) + "'");
}

Result<float> number_param(const std::string& name, const std::string& value, float lo, float hi) {
  float v = 0;
  if (parse_float(value, &v) && v >= lo && v <= hi) return v;
  char range[64];
  std::snprintf(range, sizeof range, "%g..%g", lo, hi);
  return invalid_argument(name + " must be a number in " + range + ", got '" + value.substr(0, 40) + "'");
}

Result<bool> boolean_param(const std::string& name, const std::string& value) {
  if (value == "1" || value == "true") return true;
  if (value == "0" || value == "false") return false;
  return invalid_argument(name + " must be true, false, 1 or 0, got '" + value.substr(0, 40) + "'");
}

const std::vector<std::string>& cartoonize_param_names() {
  static const std::vector<std::string> kNames = {"model",    "precision", "mode",    "long_side",
                                                  "resolution", "strength", "format", "quality"};
  return kNames;
}

Result<CartoonizeParams> parse_cartoonize_params(const Fields& fields) {
  CartoonizeParams p;
  for (const auto& [name, value] : fields) {
    TB_ASSIGN_OR_RETURN(const bool common, parse_common_param(name, value, &p.model, &p.precision, &p.format, &p.quality));
    if (common) {
      continue;
    } else if (name == "mode") {
      if (value != "whole" && value != "auto" && value != "portrait")
        return invalid_argument("mode must be auto, portrait or whole, got '" + value.substr(0, 40) + "'");
      p.mode = value;
    } else if (name == "long_side") {
      int v = 0;
      if (!parse_int(value, &v) || v < 0 || v > kMaxLongSide)
        return invalid_argument("long_side must be 0 (keep the input size) or a pixel count up to " +
                                std::to_string(kMaxLongSide) + ", got '" + value.substr(0, 40) + "'");
      p.long_side = v;
    } else if (name == "resolution") {
      auto v = pipeline::parse_resolution(value);
      if (!v.is_ok()) return v.status();
      p.resolution = v.value();
    } else if (name == "strength") {
      float v = 0;
      if (!parse_float(value, &v) || v < 0.f || v > 1.f)
        return invalid_argument("strength must be a number from 0 to 1, got '" + value.substr(0, 40) + "'");
      p.strength = v;
    } else {
      std::string known;
      for (const std::string& n : cartoonize_param_names()) known += (known.empty() ? "" : ", ") + n;
      return invalid_argument("unknown parameter '" + name.substr(0, 40) + "' (known: " + known + ")");
    }
  }
  return p;
}

const char* mime_type_for(image::ImageFormat format) {
  switch (format) {
    case image::ImageFormat::kJpeg:
      return "image/jpeg";
    case image::ImageFormat::kWebp:
      return "image/webp";
    case image::ImageFormat::kPng:
      return "image/png";
    default: return "application/octet-stream";
  }
}

const char* extension_for(image::ImageFormat format) {
  switch (format) {
    case image::ImageFormat::kJpeg:
      return "jpg";
    case image::ImageFormat::kWebp:
      return "webp";
    case image::ImageFormat::kPng:
      return "png";
    default: return "bin";
  }
}

}  // namespace toonbox::server
