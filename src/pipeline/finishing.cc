#include "pipeline/finishing.h"

#include <algorithm>
#include <cmath>

#include "image/resize.h"

namespace toonbox::pipeline {

image::Image blend_with_original(const image::Image& original, const image::Image& stylized,
                                 float strength) {
  if (strength >= 1.f || original.width != stylized.width || original.height != stylized.height)
    return stylized;
  image::Image out = stylized;
  // Fixed point: w in 0..256 so the blend is exact at both ends.
  const int w = static_cast<int>(std::lround(std::clamp(strength, 0.f, 1.f) * 256.f));
  const size_t n = out.rgb.size();
  for (size_t i = 0; i < n; ++i)
    out.rgb[i] = static_cast<uint8_t>((stylized.rgb[i] * w + original.rgb[i] * (256 - w) + 128) >> 8);
  return out;
}

void output_size(int width, int height, int long_side, int* out_width, int* out_height) {
  if (long_side <= 0 || width <= 0 || height <= 0) {
    *out_width = width;
    *out_height = height;
    return;
  }
  if (width >= height) {
    *out_width = long_side;
    *out_height = std::max(1, static_cast<int>(std::lround(static_cast<double>(height) * long_side / width)));
  } else {
    *out_height = long_side;
    *out_width = std::max(1, static_cast<int>(std::lround(static_cast<double>(width) * long_side / height)));
  }
}

image::Image finish_stylized(const image::Image& original, const image::Image& stylized,
                             float strength, int long_side) {
  image::Image out = blend_with_original(original, stylized, strength);
  int w = 0, h = 0;
  output_size(out.width, out.height, long_side, &w, &h);
  if (w != out.width || h != out.height) out = image::resize_image(out, w, h);
  return out;
}

}  // namespace toonbox::pipeline
