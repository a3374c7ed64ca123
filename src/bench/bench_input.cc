#include "bench/bench_input.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "image/resize.h"

namespace toonbox::bench {

namespace {

uint8_t clamp8(double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

// A small integer hash: noise that is the same on every machine.
uint32_t hash(uint32_t x, uint32_t y, uint32_t seed) {
  uint32_t h = x * 0x9E3779B1u ^ (y + 0x7F4A7C15u) * 0x85EBCA77u ^ seed * 0xC2B2AE3Du;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  return h;
}

}  // namespace

Image synthetic_photo(int size, int variant) {
  Image img;
  img.width = img.height = size;
  img.rgb.resize(static_cast<size_t>(size) * size * 3);
  const double shift = 0.04 * (variant % 5), tint = 12.0 * (variant % 3);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double u = (x + 0.5) / size - shift, v = (y + 0.5) / size;
      // Sky to ground: a smooth gradient with a horizon.
      double r = 90 + 110 * v, g = 140 + 60 * v, b = 230 - 120 * v;
      if (v > 0.72) r = 70 + 40 * u, g = 120 - 30 * v, b = 60;
      // Fine diagonal stripes (fabric, hair): texture the model must smooth.
      if (u > 0.62 && v > 0.35) {
        const double s = std::sin((x + y) * 0.9) > 0 ? 1 : -1;
        r = 150 + 40 * s, g = 60 + 20 * s, b = 90 + 30 * s;
      }
      // A face: a skin ellipse with eyes and a mouth, hard edges all round.
      const double fx = (u - 0.36) / 0.2, fy = (v - 0.45) / 0.27;
      if (fx * fx + fy * fy < 1) {
        r = 224 + tint, g = 178, b = 150;
        const double ex = std::fabs(fx) - 0.4, ey = fy + 0.25;
        if (ex * ex + ey * ey < 0.02) r = 40, g = 30, b = 30;
        if (std::fabs(fy - 0.45) < 0.06 && std::fabs(fx) < 0.35) r = 170, g = 60, b = 70;
      }
      const double noise =
          static_cast<double>(hash(x, y, variant) % 17) - 8;  // sensor noise, +-8 levels
      uint8_t* px = &img.rgb[(static_cast<size_t>(y) * size + x) * 3];
      px[0] = clamp8(r + noise);
      px[1] = clamp8(g + noise);
      px[2] = clamp8(b + noise);
    }
  }
  return img;
}

Image square_input(const Image& photo, int size) {
  const int side = std::min(photo.width, photo.height);
  const int x0 = (photo.width - side) / 2, y0 = (photo.height - side) / 2;
  Image square;
  square.width = square.height = side;
  square.rgb.resize(static_cast<size_t>(side) * side * 3);
  for (int y = 0; y < side; ++y)
    std::copy_n(&photo.rgb[(static_cast<size_t>(y + y0) * photo.width + x0) * 3],
                static_cast<size_t>(side) * 3, &square.rgb[static_cast<size_t>(y) * side * 3]);
  return side == size ? square : resize_image(square, size, size);
}

}  // namespace toonbox::bench
