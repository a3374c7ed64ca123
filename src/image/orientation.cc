#include "image/orientation.h"

#include <cstdint>
#include <utility>

namespace toonbox::image {
namespace {

struct Point {
  int64_t x, y;
};

// The stored pixel shown at display position (ox, oy). The single definition of the eight
// transforms; the copy loop below derives its strides from it.
Point source_of(int orientation, int64_t ox, int64_t oy, int64_t w, int64_t h) {
  switch (orientation) {
    case 2:
      return {w - 1 - ox, oy};
    case 3:
      return {w - 1 - ox, h - 1 - oy};
    case 4:
      return {ox, h - 1 - oy};
    case 5:
      return {oy, ox};
    case 6:
      return {oy, h - 1 - ox};
    case 7:
      return {w - 1 - oy, h - 1 - ox};
    case 8:
      return {w - 1 - oy, ox};
    default:
      return {ox, oy};
  }
}

}  // namespace

void apply_exif_orientation(Image* img, int orientation) {
  if (orientation < 2 || orientation > 8 || img->width <= 0 || img->height <= 0) return;
  const int64_t w = img->width, h = img->height;
  const bool swap = orientation >= 5;
  const int64_t out_w = swap ? h : w, out_h = swap ? w : h;

  // Along an output row the source index moves by a constant step, so each row needs only
  // its start index and that step.
  auto index = [&](int64_t ox, int64_t oy) {
    const Point p = source_of(orientation, ox, oy, w, h);
    return p.y * w + p.x;
  };
  const int64_t step = out_w > 1 ? index(1, 0) - index(0, 0) : 0;

  std::vector<uint8_t> rgb(img->rgb.size());
  std::vector<uint8_t> alpha(img->alpha.size());
  const bool has_alpha = img->has_alpha();
  for (int64_t oy = 0; oy < out_h; ++oy) {
    int64_t src = index(0, oy);
    uint8_t* dst_rgb = rgb.data() + oy * out_w * 3;
    uint8_t* dst_alpha = has_alpha ? alpha.data() + oy * out_w : nullptr;
    for (int64_t ox = 0; ox < out_w; ++ox, src += step) {
      const uint8_t* s = img->rgb.data() + src * 3;
      dst_rgb[ox * 3 + 0] = s[0];
      dst_rgb[ox * 3 + 1] = s[1];
      dst_rgb[ox * 3 + 2] = s[2];
      if (has_alpha) dst_alpha[ox] = img->alpha[src];
    }
  }
  img->rgb = std::move(rgb);
  img->alpha = std::move(alpha);
  img->width = static_cast<int>(out_w);
  img->height = static_cast<int>(out_h);
}

}  // namespace toonbox::image
