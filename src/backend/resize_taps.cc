#include "backend/resize_taps.h"

#include <algorithm>
#include <cmath>

namespace toonbox {

namespace {

// Mirrors resize_source() in ops/reference.cc: computed in float32, as TensorFlow and
// ONNX Runtime do; nearest picks at exact half-way points (2.5 * 1.4f - 0.5) and the
// last align-corners column (3 * (10 / 3.f)) depend on that rounding.
double source_coordinate(ResizeCoord coord, int64_t i, int64_t in, int64_t out, float scale) {
  const float fi = static_cast<float>(i);
  if (scale > 0.f) {  // ONNX scales (see ResizeParams)
    switch (coord) {
      case ResizeCoord::kAsymmetric: return fi / scale;
      case ResizeCoord::kHalfPixel: return (fi + 0.5f) / scale - 0.5f;
      case ResizeCoord::kPytorchHalfPixel: return out > 1 ? (fi + 0.5f) / scale - 0.5f : 0.f;
      case ResizeCoord::kTfHalfPixelForNn: return (fi + 0.5f) / scale;
      case ResizeCoord::kAlignCorners: break;
    }
  }
  switch (coord) {
    case ResizeCoord::kAsymmetric:
      return fi * (static_cast<float>(in) / static_cast<float>(out));
    case ResizeCoord::kHalfPixel:
      return (fi + 0.5f) * (static_cast<float>(in) / static_cast<float>(out)) - 0.5f;
    case ResizeCoord::kAlignCorners:
      return out > 1 ? fi * (static_cast<float>(in - 1) / static_cast<float>(out - 1)) : 0.f;
    case ResizeCoord::kPytorchHalfPixel:
      return out > 1 ? (fi + 0.5f) * (static_cast<float>(in) / static_cast<float>(out)) - 0.5f
                     : 0.f;
    case ResizeCoord::kTfHalfPixelForNn:
      return (fi + 0.5f) * (static_cast<float>(in) / static_cast<float>(out));
  }
  return 0;
}

// Mirrors nearest_index() in ops/reference.cc.
int64_t nearest_source(NearestRounding r, double src, int64_t in) {
  double v = 0;
  switch (r) {
    case NearestRounding::kFloor: v = std::floor(src); break;
    case NearestRounding::kCeil: v = std::ceil(src); break;
    case NearestRounding::kRoundPreferFloor:
      v = (src - std::floor(src) == 0.5) ? std::floor(src) : std::round(src);
      break;
    case NearestRounding::kRoundPreferCeil: v = std::round(src); break;
  }
  return std::clamp<int64_t>(static_cast<int64_t>(v), 0, in - 1);
}

}  // namespace

std::vector<ResizeTap> resize_taps(const ResizeParams& p, int64_t in, int64_t out, float scale) {
  std::vector<ResizeTap> taps(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const double src = source_coordinate(p.coord, i, in, out, scale);
    ResizeTap& t = taps[i];
    if (p.mode == ResizeMode::kNearest) {
      t.i0 = t.i1 = static_cast<int32_t>(nearest_source(p.nearest, src, in));
      continue;
    }
    // TensorFlow's rule, as the reference: lower index clamped at 0 (and to the last
    // pixel), upper index clamped at in-1, weight from the unclamped coordinate.
    const double f = std::floor(src);
    const int64_t lo = std::min<int64_t>(std::max<int64_t>(static_cast<int64_t>(f), 0), in - 1);
    const int64_t hi = std::max<int64_t>(std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1), 0);
    t.i0 = static_cast<int32_t>(lo);
    t.i1 = static_cast<int32_t>(hi);
    t.w = static_cast<float>(src - f);
  }
  return taps;
}

}  // namespace toonbox
