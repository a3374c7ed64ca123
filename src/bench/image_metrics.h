// How far apart two 8-bit RGB images are: PSNR, SSIM and the largest channel difference,
// on the 0..255 scale. `bench` compares every device/precision output with the CPU fp32
// output of the same input through these.
#pragma once

#include "core/status.h"
#include "image/image.h"

namespace toonbox::bench {

// 10 log10(255^2 / MSE) over every channel of every pixel; +infinity when identical.
// Sizes must match (alpha is ignored).
Result<double> psnr_8bit(const image::Image& a, const image::Image& b);

// The largest |a - b| over every channel of every pixel.
Result<int> max_abs_diff(const image::Image& a, const image::Image& b);

// Mean SSIM (Wang et al. 2004) on the 0..255 scale: an 11x11 Gaussian window with
// sigma 1.5, K1 = 0.01, K2 = 0.03, computed per channel and averaged over the three;
// the map is averaged over the pixels whose window lies inside the image (a 5-pixel
// border is left out), which is what scikit-image's structural_similarity(...,
// gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255) does.
// Images smaller than 11x11 are refused.
Result<double> ssim_8bit(const image::Image& a, const image::Image& b);

}  // namespace toonbox::bench
