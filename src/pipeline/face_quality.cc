#include "pipeline/face_quality.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace toonbox::pipeline {

namespace {
constexpr int kSide = 64;
constexpr int kMinSide = 8;
}

double face_sharpness(const image::Image& image, const detect::Face& face) {
  const double x0 = std::clamp<double>(face.x1, 0, image.width), x1 = std::clamp<double>(face.x2, 0, image.width);
  const double y0 = std::clamp<double>(face.y1, 0, image.height), y1 = std::clamp<double>(face.y2, 0, image.height);
  if (x1 - x0 < 2 || y1 - y0 < 2 || image.rgb.empty()) return 0.0;
  // The box area-averaged down to n x n, n at most kSide: faces of any size are measured
  // at one scale, and small ones at their own (upsampling would blur them and make them
  // look out of focus next to large ones).
  const int n = std::min<int>(kSide, static_cast<int>(std::min(x1 - x0, y1 - y0)));
  if (n < kMinSide) return 0.0;
  std::vector<double> luma(static_cast<size_t>(n) * n, 0.0);
  for (int cy = 0; cy < n; ++cy)
    for (int cx = 0; cx < n; ++cx) {
      const int sx0 = static_cast<int>(x0 + (x1 - x0) * cx / n);
      const int sx1 = std::max(sx0 + 1, static_cast<int>(x0 + (x1 - x0) * (cx + 1) / n));
      const int sy0 = static_cast<int>(y0 + (y1 - y0) * cy / n);
      const int sy1 = std::max(sy0 + 1, static_cast<int>(y0 + (y1 - y0) * (cy + 1) / n));
      double sum = 0;
      int count = 0;
      for (int y = sy0; y < std::min(sy1, image.height); ++y)
        for (int x = sx0; x < std::min(sx1, image.width); ++x) {
          const uint8_t* p = &image.rgb[(static_cast<size_t>(y) * image.width + x) * 3];
          sum += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
          ++count;
        }
      luma[static_cast<size_t>(cy) * n + cx] = count ? sum / count : 0.0;
    }
  // Crete-Roffet et al. (2007), "The blur effect": blur the face again with a 9-tap box
  // along each axis and see how much of its pixel-to-pixel variation survives. A sharp
  // face loses most of it; a face already blurred loses little. 0 = no change (fully
  // blurred), towards 1 = sharp.
  double blur = 0;
  for (int axis = 0; axis < 2; ++axis) {
    const int step = axis == 0 ? 1 : n;
    double sum_f = 0, sum_v = 0;
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        const int along = axis == 0 ? x : y;
        if (along == 0) continue;
        auto blurred = [&](int yy, int xx) {
          double sum = 0;
          for (int k = -4; k <= 4; ++k) {
            const int a = std::clamp((axis == 0 ? xx : yy) + k, 0, n - 1);
            sum += axis == 0 ? luma[yy * n + a] : luma[a * n + xx];
          }
          return sum / 9.0;
        };
        const int i = y * n + x;
        const double d_f = std::abs(luma[i] - luma[i - step]);
        const double d_b = axis == 0 ? std::abs(blurred(y, x) - blurred(y, x - 1)) : std::abs(blurred(y, x) - blurred(y - 1, x));
        sum_f += d_f;
        sum_v += std::max(0.0, d_f - d_b);
      }
    if (sum_f <= 0) return 0.0;
    blur = std::max(blur, (sum_f - sum_v) / sum_f);
  }
  return 1.0 - blur;
}

}  // namespace toonbox::pipeline
