#include "pipeline/tiling.h"

#include <algorithm>
#include <cmath>

namespace toonbox::pipeline {

namespace {

constexpr double kPi = 3.14159265358979323846;

AxisTiles plan_axis(int length, int tile, int overlap, int align) {
  AxisTiles a;
  a.length = length;
  a.tile = std::min(tile, length);
  if (a.tile == length) {
    a.starts = {0};
    return a;
  }
  // Work in units of `align`: the last tile starts at the first aligned position that
  // reaches the image's end (it may run past it by less than `align`; those pixels
  // are edge-replicated, as the whole image's padding is). Fewest tiles whose stride
  // leaves at least `overlap` shared, spread evenly so every seam gets about the same.
  const int last = (length - a.tile + align - 1) / align;
  const int step = std::max(1, (a.tile - overlap) / align);
  const int n = 1 + (last + step - 1) / step;
  for (int i = 0; i < n; ++i)
    a.starts.push_back(align * static_cast<int>(std::lround(static_cast<double>(i) * last / (n - 1))));
  const int feather = std::max(1, overlap / 2);
  for (int i = 0; i + 1 < n; ++i) {
    // Centre of the strip tiles i and i + 1 share.
    const int shared_begin = a.starts[i + 1], shared_end = a.starts[i] + a.tile;
    const int width = std::min(feather, shared_end - shared_begin);
    const int begin = shared_begin + (shared_end - shared_begin - width) / 2;
    a.band_begin.push_back(begin);
    a.band_end.push_back(begin + width);
  }
  // With three tiles over one pixel (short images, large overlap) neighbouring bands may
  // touch: meet in the middle so they stay disjoint and the weights a partition of 1.
  for (size_t i = 0; i + 1 < a.band_begin.size(); ++i) {
    if (a.band_end[i] > a.band_begin[i + 1]) {
      const int mid = (a.band_end[i] + a.band_begin[i + 1]) / 2;
      a.band_end[i] = std::max(a.band_begin[i], mid);
      a.band_begin[i + 1] = std::min(a.band_end[i + 1], a.band_end[i]);
    }
  }
  return a;
}

// Rising half-cosine across [begin, end), sampled at pixel centres; its complement
// 1 - ramp is the falling side of the neighbour, so the pair sums to 1.
float ramp(int p, int begin, int end) {
  if (p < begin) return 0.f;
  if (p >= end) return 1.f;
  const double t = (p - begin + 0.5) / (end - begin);
  return static_cast<float>(0.5 - 0.5 * std::cos(kPi * t));
}

}  // namespace

float AxisTiles::weight(size_t i, int p) const {
  if (p < starts[i] || p >= starts[i] + tile) return 0.f;
  float w = 1.f;
  if (i > 0) w *= ramp(p, band_begin[i - 1], band_end[i - 1]);
  if (i + 1 < starts.size()) w *= 1.f - ramp(p, band_begin[i], band_end[i]);
  return w;
}

TilePlan plan_tiles(int width, int height, int tile, int overlap, int align) {
  TilePlan plan;
  align = std::max(1, align);
  tile = std::max(align, tile / align * align);
  overlap = std::clamp(overlap, 0, std::max(0, tile - 1));
  plan.overlap = overlap;
  plan.xs = plan_axis(width, tile, overlap, align);
  plan.ys = plan_axis(height, tile, overlap, align);
  return plan;
}

TileRect TilePlan::rect(size_t i) const {
  const size_t ix = i % xs.starts.size(), iy = i / xs.starts.size();
  return {xs.starts[ix], ys.starts[iy], xs.tile, ys.tile};
}

float TilePlan::weight(size_t i, int x, int y) const {
  const size_t ix = i % xs.starts.size(), iy = i / xs.starts.size();
  return xs.weight(ix, x) * ys.weight(iy, y);
}

TilePlan TilePlan::scaled(int factor) const {
  TilePlan out = *this;
  for (AxisTiles* a : {&out.xs, &out.ys}) {
    a->length *= factor;
    a->tile *= factor;
    for (std::vector<int>* v : {&a->starts, &a->band_begin, &a->band_end})
      for (int& p : *v) p *= factor;
  }
  out.overlap *= factor;
  return out;
}

image::Image crop_image(const image::Image& image, const TileRect& r) {
  image::Image out;
  out.width = r.width;
  out.height = r.height;
  out.rgb.resize(static_cast<size_t>(r.width) * r.height * 3);
  for (int y = 0; y < r.height; ++y) {
    const int sy = std::min(r.y + y, image.height - 1);
    for (int x = 0; x < r.width; ++x) {
      const int sx = std::min(r.x + x, image.width - 1);
      const uint8_t* src = &image.rgb[(static_cast<size_t>(sy) * image.width + sx) * 3];
      std::copy(src, src + 3, &out.rgb[(static_cast<size_t>(y) * r.width + x) * 3]);
    }
  }
  return out;
}

TileBlender::TileBlender(const TilePlan& plan)
    : plan_(plan), canvas_(static_cast<size_t>(plan.xs.length) * plan.ys.length * 3, 0.f) {}

void TileBlender::add(size_t tile, const OutputPixels& output, int margin) {
  const TileRect r = plan_.rect(tile);
  const size_t ix = tile % plan_.xs.starts.size(), iy = tile / plan_.xs.starts.size();
  // The last tile of a row or column may run past the image (alignment): clip.
  const int width = plan_.xs.length;
  const int cols = std::min(r.width, width - r.x), rows = std::min(r.height, plan_.ys.length - r.y);
  std::vector<float> wx(cols);
  for (int x = 0; x < cols; ++x) wx[x] = plan_.xs.weight(ix, r.x + x);
#pragma omp parallel for schedule(static)
  for (int y = 0; y < rows; ++y) {
    const float wy = plan_.ys.weight(iy, r.y + y);
    if (wy == 0.f) continue;
    float* dst = &canvas_[(static_cast<size_t>(r.y + y) * width + r.x) * 3];
    for (int x = 0; x < cols; ++x) {
      const float w = wy * wx[x];
      for (int c = 0; c < 3; ++c) dst[x * 3 + c] += w * output.at(y + margin, x + margin, c);
    }
  }
}

image::Image TileBlender::finish() const {
  image::Image img;
  img.width = plan_.xs.length;
  img.height = plan_.ys.length;
  img.rgb.resize(canvas_.size());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < static_cast<int64_t>(canvas_.size()); ++i) {
    img.rgb[i] = static_cast<uint8_t>(std::clamp(std::lround(canvas_[i]), 0L, 255L));
  }
  return img;
}

int round_down_to_multiple(int side, int multiple) {
  multiple = std::max(1, multiple);
  return std::max(multiple, side / multiple * multiple);
}

int auto_tile_side(int padded_width, int padded_height, double bytes_per_pixel, size_t budget,
                   int multiple, int min_tile) {
  const double need = bytes_per_pixel * padded_width * padded_height;
  if (bytes_per_pixel <= 0 || need <= static_cast<double>(budget)) return 0;
  const int side = static_cast<int>(std::sqrt(static_cast<double>(budget) / bytes_per_pixel));
  return std::max(round_down_to_multiple(side, multiple), min_tile);
}

}  // namespace toonbox::pipeline
