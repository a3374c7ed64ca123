#include "image/pixel_limits.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace toonbox::image {
namespace {

std::string format_fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

// The limit with no trailing zeros ("50", "0.01").
std::string format_limit(int64_t pixels) {
  std::string s = format_fixed(static_cast<double>(pixels) / 1e6, 6);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// The count with just enough decimals to read as larger than the limit, so a file one
// pixel over the limit does not report "50 megapixels exceeds the limit of 50".
std::string format_excess(int64_t pixels, int64_t limit) {
  const double mp = static_cast<double>(pixels) / 1e6;
  const double limit_mp = static_cast<double>(limit) / 1e6;
  for (int decimals = 0; decimals < 6; ++decimals) {
    const double scale = std::pow(10.0, decimals);
    if (std::round(mp * scale) / scale > limit_mp) return format_fixed(mp, decimals);
  }
  return format_fixed(mp, 6);
}

}  // namespace

Status check_pixel_limit(int64_t width, int64_t height, int64_t max_pixels) {
  const std::string dims = std::to_string(width) + "x" + std::to_string(height);
  if (width <= 0 || height <= 0) {
    return data_loss("invalid image size " + dims + " (both sides must be positive)");
  }
  if (max_pixels <= 0) {
    return invalid_argument("the pixel limit must be positive, got " + std::to_string(max_pixels));
  }
  int64_t pixels = 0;
  if (__builtin_mul_overflow(width, height, &pixels) || pixels > max_pixels) {
    const std::string count =
        pixels > 0 ? format_excess(pixels, max_pixels) : std::string("more than 9e12");
    return resource_exhausted(dims + " = " + count + " megapixels exceeds the limit of " +
                              format_limit(max_pixels) +
                              " megapixels (raise it with --max-pixels)");
  }
  if (width > kMaxImageSide || height > kMaxImageSide) {
    return resource_exhausted("image size " + dims + " exceeds the maximum of " +
                              std::to_string(kMaxImageSide) + " pixels per side");
  }
  return Status::ok();
}

Result<size_t> pixel_buffer_size(int64_t width, int64_t height, int64_t channels) {
  uint64_t bytes = 0;
  if (width < 0 || height < 0 || channels < 0 ||
      __builtin_mul_overflow(static_cast<uint64_t>(width), static_cast<uint64_t>(height), &bytes) ||
      __builtin_mul_overflow(bytes, static_cast<uint64_t>(channels), &bytes) ||
      bytes > std::numeric_limits<size_t>::max()) {
    return resource_exhausted("pixel buffer for " + std::to_string(width) + "x" +
                              std::to_string(height) + "x" + std::to_string(channels) +
                              " does not fit in memory");
  }
  return static_cast<size_t>(bytes);
}

}  // namespace toonbox::image
