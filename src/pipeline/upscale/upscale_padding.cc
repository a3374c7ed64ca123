#include "pipeline/upscale/upscale_padding.h"

#include <algorithm>
#include <cmath>

namespace toonbox::pipeline {

int reflect_index(int i, int n) {
  if (n <= 1) return 0;
  const int period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

image::Image pad_image(const image::Image& image, int pad, int extra_x, int extra_y, bool reflect) {
  image::Image out;
  out.width = image.width + 2 * pad + extra_x;
  out.height = image.height + 2 * pad + extra_y;
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  auto source = [&](int i, int n) { return reflect ? reflect_index(i, n) : std::clamp(i, 0, n - 1); };
  std::vector<int> sx(out.width);
  for (int x = 0; x < out.width; ++x) sx[x] = source(x - pad, image.width);
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* row = &image.rgb[static_cast<size_t>(source(y - pad, image.height)) * image.width * 3];
    uint8_t* dst = &out.rgb[static_cast<size_t>(y) * out.width * 3];
    for (int x = 0; x < out.width; ++x) std::copy(row + sx[x] * 3, row + sx[x] * 3 + 3, dst + x * 3);
  }
  return out;
}

namespace {

// Keys' cubic with a = -0.5 (Catmull-Rom: no overshoot beyond what the data has).
double cubic(double t) {
  t = std::fabs(t);
  constexpr double a = -0.5;
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

struct Taps {
  std::vector<int> index;  // 4 per output position
  std::vector<double> weight;
};

Taps taps(int in, int out) {
  Taps t;
  const double scale = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    const double src = (o + 0.5) * scale - 0.5;
    const int base = static_cast<int>(std::floor(src));
    for (int k = -1; k <= 2; ++k) {
      t.index.push_back(std::clamp(base + k, 0, in - 1));
      t.weight.push_back(cubic(src - (base + k)));
    }
  }
  return t;
}

}  // namespace

std::vector<uint8_t> resize_plane_bicubic(const std::vector<uint8_t>& plane, int width, int height,
                                          int out_width, int out_height) {
  const Taps tx = taps(width, out_width), ty = taps(height, out_height);
  // Rows first (width), then columns.
  std::vector<double> mid(static_cast<size_t>(height) * out_width);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < out_width; ++x) {
      double v = 0;
      for (int k = 0; k < 4; ++k) v += tx.weight[x * 4 + k] * plane[static_cast<size_t>(y) * width + tx.index[x * 4 + k]];
      mid[static_cast<size_t>(y) * out_width + x] = v;
    }
  std::vector<uint8_t> out(static_cast<size_t>(out_width) * out_height);
  for (int y = 0; y < out_height; ++y)
    for (int x = 0; x < out_width; ++x) {
      double v = 0;
      for (int k = 0; k < 4; ++k) v += ty.weight[y * 4 + k] * mid[static_cast<size_t>(ty.index[y * 4 + k]) * out_width + x];
      out[static_cast<size_t>(y) * out_width + x] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
    }
  return out;
}

}  // namespace toonbox::pipeline
