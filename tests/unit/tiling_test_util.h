// Shared by the tiling tests (built-in style, tests/unit/tiling_test.cc; White-box,
// tests/models/batch_tiling_models_test.cc): how close a tiled image is to the whole-image
// run, overall and at the tile hand-overs.
#pragma once

#include <cmath>
#include <cstdint>

#include "image/image.h"
#include "pipeline/tiling.h"

namespace toonbox::test {

// PSNR of two RGB images of one size on the 8-bit scale.
inline double psnr_u8(const image::Image& a, const image::Image& b) {
  double mse = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = double(a.rgb[i]) - double(b.rgb[i]);
    mse += d * d;
  }
  mse /= static_cast<double>(a.rgb.size());
  return mse == 0 ? 200.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

// Mean absolute error of the pixels within 4 px of a tile hand-over vs the rest.
inline void seam_errors(const image::Image& got, const image::Image& want,
                        const pipeline::TilePlan& plan, double* at_seams, double* elsewhere) {
  auto near_band = [](const pipeline::AxisTiles& a, int p) {
    for (size_t i = 0; i < a.band_begin.size(); ++i)
      if (p >= a.band_begin[i] - 4 && p < a.band_end[i] + 4) return true;
    return false;
  };
  double s = 0, e = 0;
  int64_t ns = 0, ne = 0;
  for (int y = 0; y < want.height; ++y)
    for (int x = 0; x < want.width; ++x) {
      const bool seam = near_band(plan.xs, x) || near_band(plan.ys, y);
      for (int c = 0; c < 3; ++c) {
        const size_t k = (static_cast<size_t>(y) * want.width + x) * 3 + c;
        const double d = std::abs(double(got.rgb[k]) - double(want.rgb[k]));
        (seam ? s : e) += d;
        (seam ? ns : ne) += 1;
      }
    }
  *at_seams = ns ? s / ns : 0;
  *elsewhere = ne ? e / ne : 0;
}

}  // namespace toonbox::test
