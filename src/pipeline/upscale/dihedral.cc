#include "pipeline/upscale/dihedral.h"

#include <algorithm>

namespace toonbox::pipeline {

namespace {

// Where pixel (x, y) of the transformed picture (tw x th) comes from in the original
// (w x h); the inverse of "flip x, flip y, then transpose".
void source_of(int t, int x, int y, int w, int h, int* sx, int* sy) {
  int ox = x, oy = y;
  if (t & 4) std::swap(ox, oy);
  if (t & 2) oy = h - 1 - oy;
  if (t & 1) ox = w - 1 - ox;
  *sx = ox;
  *sy = oy;
}

}  // namespace

image::Image dihedral_transform(const image::Image& image, int t) {
  image::Image out;
  const bool swap = t & 4;
  out.width = swap ? image.height : image.width;
  out.height = swap ? image.width : image.height;
  out.rgb.resize(image.rgb.size());
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      int sx, sy;
      source_of(t, x, y, image.width, image.height, &sx, &sy);
      const uint8_t* src = &image.rgb[(static_cast<size_t>(sy) * image.width + sx) * 3];
      std::copy(src, src + 3, &out.rgb[(static_cast<size_t>(y) * out.width + x) * 3]);
    }
  return out;
}

void add_dihedral_inverse(const std::vector<float>& canvas, int width, int height, int t,
                          std::vector<float>* sum) {
  const bool swap = t & 4;
  const int ow = swap ? height : width, oh = swap ? width : height;  // original orientation
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      int sx, sy;
      source_of(t, x, y, ow, oh, &sx, &sy);
      const float* src = &canvas[(static_cast<size_t>(y) * width + x) * 3];
      float* dst = &(*sum)[(static_cast<size_t>(sy) * ow + sx) * 3];
      for (int c = 0; c < 3; ++c) dst[c] += src[c];
    }
}

}  // namespace toonbox::pipeline
