#include "pipeline/processing_size.h"

#include <algorithm>
#include <cmath>

namespace toonbox::pipeline {

ProcessingSize processing_size(int width, int height, const models::ProcessingRule& rule,
                               int resolution, int out_width, int out_height) {
  ProcessingSize p;
  const int short_side = std::min(width, height);
  if (short_side <= 0) {
    p.width = width;
    p.height = height;
    return p;
  }
  double scale = 1.0;
  std::string why;
  if (resolution > 0) {
    scale = static_cast<double>(resolution) / short_side;
    why = "processed with the short side at " + std::to_string(resolution) + " px (--resolution)";
  } else {
    if (resolution == 0 && rule.max_short_side > 0 && short_side > rule.max_short_side) {
      scale = static_cast<double>(rule.max_short_side) / short_side;
      why = "processed with the short side at " + std::to_string(rule.max_short_side) +
            " px, as the model's authors run it (--resolution full keeps the input's)";
    }
    // Never compute more pixels than the output keeps.
    const double out_scale = std::min(static_cast<double>(out_width) / width, static_cast<double>(out_height) / height);
    if (out_scale < scale) {
      scale = out_scale;
      why = "processed at the output size";
    }
    if (resolution == 0 && rule.min_side > 0 && short_side * scale < rule.min_side) {
      scale = static_cast<double>(rule.min_side) / short_side;
      why = "processed with the short side at " + std::to_string(rule.min_side) +
            " px, the model authors' minimum";
    }
  }
  p.width = std::max(1, static_cast<int>(std::lround(width * scale)));
  p.height = std::max(1, static_cast<int>(std::lround(height * scale)));
  if (p.width == width && p.height == height) return ProcessingSize{width, height, 1.0, ""};
  p.scale = scale;
  p.why = why + " (" + std::to_string(p.width) + "x" + std::to_string(p.height) + ")";
  return p;
}

Result<int> parse_resolution(const std::string& s) {
  if (s == "auto") return 0;
  if (s == "full") return kFullResolution;
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used);
  } catch (...) {
    used = 0;
  }
  if (used != s.size() || v < kMinResolution || v > kMaxResolution)
    return invalid_argument("resolution must be auto, full or a short side of " + std::to_string(kMinResolution) +
                            ".." + std::to_string(kMaxResolution) + " px, got '" + s.substr(0, 40) + "'");
  return static_cast<int>(v);
}

}  // namespace toonbox::pipeline
