#include "bench/image_metrics.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace toonbox::bench {

namespace {

constexpr int kRadius = 5;  // 11x11 window
constexpr double kSigma = 1.5;
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);

Status check_same_size(const image::Image& a, const image::Image& b) {
  if (a.width != b.width || a.height != b.height)
    return invalid_argument("images differ in size: " + std::to_string(a.width) + "x" +
                            std::to_string(a.height) + " and " + std::to_string(b.width) + "x" +
                            std::to_string(b.height));
  if (a.rgb.size() != static_cast<size_t>(a.width) * a.height * 3 || b.rgb.size() != a.rgb.size())
    return invalid_argument("an image's pixel buffer does not match its size");
  return Status::ok();
}

std::vector<double> gaussian_taps() {
  std::vector<double> w(2 * kRadius + 1);
  double sum = 0;
  for (int i = -kRadius; i <= kRadius; ++i)
    sum += w[i + kRadius] = std::exp(-0.5 * i * i / (kSigma * kSigma));
  for (double& v : w) v /= sum;
  return w;
}

// The window-weighted mean of `plane` (width x height) at every pixel whose window is
// inside: a (width - 10) x (height - 10) result. Separable: rows, then columns.
std::vector<double> filter_valid(const std::vector<double>& plane, int width, int height,
                                 const std::vector<double>& taps) {
  const int ow = width - 2 * kRadius, oh = height - 2 * kRadius;
  std::vector<double> rows(static_cast<size_t>(ow) * height);
  // A 2048x2048 comparison is ~1e9 multiply-adds: spread over the cores.
#pragma omp parallel for schedule(static)
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int k = 0; k <= 2 * kRadius; ++k)
        s += taps[k] * plane[static_cast<size_t>(y) * width + x + k];
      rows[static_cast<size_t>(y) * ow + x] = s;
    }
  std::vector<double> out(static_cast<size_t>(ow) * oh);
#pragma omp parallel for schedule(static)
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int k = 0; k <= 2 * kRadius; ++k)
        s += taps[k] * rows[static_cast<size_t>(y + k) * ow + x];
      out[static_cast<size_t>(y) * ow + x] = s;
    }
  return out;
}

double ssim_channel(const image::Image& a, const image::Image& b, int channel,
                    const std::vector<double>& taps) {
  const size_t n = static_cast<size_t>(a.width) * a.height;
  std::vector<double> x(n), y(n), xx(n), yy(n), xy(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = a.rgb[i * 3 + channel];
    y[i] = b.rgb[i * 3 + channel];
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const auto mx = filter_valid(x, a.width, a.height, taps),
             my = filter_valid(y, a.width, a.height, taps);
  const auto mxx = filter_valid(xx, a.width, a.height, taps),
             myy = filter_valid(yy, a.width, a.height, taps);
  const auto mxy = filter_valid(xy, a.width, a.height, taps);
  double sum = 0;
  for (size_t i = 0; i < mx.size(); ++i) {
    const double vx = mxx[i] - mx[i] * mx[i], vy = myy[i] - my[i] * my[i],
                 cxy = mxy[i] - mx[i] * my[i];
    sum += (2 * mx[i] * my[i] + kC1) * (2 * cxy + kC2) /
           ((mx[i] * mx[i] + my[i] * my[i] + kC1) * (vx + vy + kC2));
  }
  return sum / static_cast<double>(mx.size());
}

}  // namespace

Result<double> psnr_8bit(const image::Image& a, const image::Image& b) {
  TB_RETURN_IF_ERROR(check_same_size(a, b));
  if (a.rgb.empty()) return invalid_argument("empty images");
  double se = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = static_cast<double>(a.rgb[i]) - b.rgb[i];
    se += d * d;
  }
  if (se == 0) return std::numeric_limits<double>::infinity();
  const double mse = se / static_cast<double>(a.rgb.size());
  return 10 * std::log10(255.0 * 255.0 / mse);
}

Result<int> max_abs_diff(const image::Image& a, const image::Image& b) {
  TB_RETURN_IF_ERROR(check_same_size(a, b));
  int worst = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i)
    worst = std::max(worst, std::abs(int{a.rgb[i]} - int{b.rgb[i]}));
  return worst;
}

Result<double> ssim_8bit(const image::Image& a, const image::Image& b) {
  TB_RETURN_IF_ERROR(check_same_size(a, b));
  if (a.width < 2 * kRadius + 1 || a.height < 2 * kRadius + 1)
    return invalid_argument("SSIM needs images of at least 11x11 pixels, got " +
                            std::to_string(a.width) + "x" + std::to_string(a.height));
  const std::vector<double> taps = gaussian_taps();
  double sum = 0;
  for (int c = 0; c < 3; ++c) sum += ssim_channel(a, b, c, taps);
  return sum / 3;
}

}  // namespace toonbox::bench
