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

image::Image synthetic_photo(int size, int variant) { return synthetic_photo(size, size, variant); }

image::Image synthetic_photo(int width, int height, int variant) {
  image::Image img;
  img.width = width;
  img.height = height;
  img.rgb.resize(static_cast<size_t>(width) * height * 3);
  const double shift = 0.04 * (variant % 5), tint = 12.0 * (variant % 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double u = (x + 0.5) / width - shift, v = (y + 0.5) / height;
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
      uint8_t* px = &img.rgb[(static_cast<size_t>(y) * width + x) * 3];
      px[0] = clamp8(r + noise);
      px[1] = clamp8(g + noise);
      px[2] = clamp8(b + noise);
    }
  }
  return img;
}

image::Image fitted_input(const image::Image& photo, int width, int height) {
  // The largest centred crop of the target's aspect ratio.
  int cw = photo.width, ch = static_cast<int>(static_cast<int64_t>(photo.width) * height / width);
  if (ch > photo.height) {
    ch = photo.height;
    cw = std::max(1, static_cast<int>(static_cast<int64_t>(photo.height) * width / height));
  }
  ch = std::max(1, ch);
  const int x0 = (photo.width - cw) / 2, y0 = (photo.height - ch) / 2;
  image::Image crop;
  crop.width = cw;
  crop.height = ch;
  crop.rgb.resize(static_cast<size_t>(cw) * ch * 3);
  for (int y = 0; y < ch; ++y)
    std::copy_n(&photo.rgb[(static_cast<size_t>(y + y0) * photo.width + x0) * 3],
                static_cast<size_t>(cw) * 3, &crop.rgb[static_cast<size_t>(y) * cw * 3]);
  return cw == width && ch == height ? crop : image::resize_image(crop, width, height);
}

}  // namespace toonbox::bench
