#include "backend/resize_taps.h"

#include <algorithm>
#include <cmath>

namespace toonbox {

namespace {

struct AxisParams {
  float scale = 0.f;
  float roi0 = 0.f, roi1 = 1.f;
};

AxisParams axis_params(const ResizeParams& p, ResizeAxis axis) {
  if (axis == ResizeAxis::kHeight) return {p.scale_h, p.roi_h0, p.roi_h1};
  return {p.scale_w, p.roi_w0, p.roi_w1};
}

// Mirrors resize_source() in ops/reference.cc: computed in float32, as TensorFlow and
// ONNX Runtime do; nearest picks at exact half-way points (2.5 * 1.4f - 0.5) and the
// last align-corners column (3 * (10 / 3.f)) depend on that rounding.
double source_coordinate(ResizeCoord coord, int64_t i, int64_t in, int64_t out,
                         const AxisParams& a) {
  const float fi = static_cast<float>(i);
  const float scale = a.scale;
  // An axis that is not resized maps one to one whatever the mode (ONNX Runtime).
  if (scale > 0.f ? scale == 1.f : in == out) return fi;
  if (coord == ResizeCoord::kTfCropAndResize) {
    const float fin = static_cast<float>(in), fout = static_cast<float>(out);
    if (out > 1) return a.roi0 * (fin - 1) + (fi * (a.roi1 - a.roi0) * (fin - 1)) / (fout - 1);
    return static_cast<float>(0.5 * (a.roi0 + a.roi1) * (fin - 1));
  }
  if (scale > 0.f) {  // ONNX scales (see ResizeParams)
    switch (coord) {
      case ResizeCoord::kAsymmetric: return fi / scale;
      case ResizeCoord::kHalfPixel: return (fi + 0.5f) / scale - 0.5f;
      case ResizeCoord::kPytorchHalfPixel: return out > 1 ? (fi + 0.5f) / scale - 0.5f : 0.f;
      case ResizeCoord::kTfHalfPixelForNn: return (fi + 0.5f) / scale;
      case ResizeCoord::kAlignCorners:
      case ResizeCoord::kTfCropAndResize: break;
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
    case ResizeCoord::kTfCropAndResize: break;
  }
  return 0;
}

// tf_crop_and_resize samples outside [0, in - 1] take the extrapolation value.
bool is_outside(const ResizeParams& p, double src, int64_t in) {
  return p.coord == ResizeCoord::kTfCropAndResize &&
         (src < 0 || src > static_cast<double>(in - 1));
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

std::vector<ResizeTap> resize_taps(const ResizeParams& p, int64_t in, int64_t out,
                                   ResizeAxis axis) {
  const AxisParams a = axis_params(p, axis);
  std::vector<ResizeTap> taps(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const double src = source_coordinate(p.coord, i, in, out, a);
    ResizeTap& t = taps[i];
    t.outside = is_outside(p, src, in) ? 1 : 0;
    if (p.mode == ResizeMode::kNearest) {
      t.i0 = t.i1 = static_cast<int32_t>(nearest_source(p.nearest, src, in));
      continue;
    }
    // TensorFlow's rule, as the reference: lower index clamped at 0 (and to the last
    // pixel), upper index clamped at in-1, weight from the unclamped coordinate.
    const double f = std::floor(src);
    const int64_t lo = std::min<int64_t>(std::max<int64_t>(static_cast<int64_t>(f), 0), in - 1);
    const int64_t hi =
        std::max<int64_t>(std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1), 0);
    t.i0 = static_cast<int32_t>(lo);
    t.i1 = static_cast<int32_t>(hi);
    t.w = static_cast<float>(src - f);
  }
  return taps;
}

std::vector<ResizeTap> resize_taps(const ResizeParams& p, int64_t in, int64_t out, float scale) {
  ResizeParams q = p;
  q.scale_h = scale;
  return resize_taps(q, in, out, ResizeAxis::kHeight);
}

std::vector<CubicTap> cubic_taps(const ResizeParams& p, int64_t in, int64_t out,
                                 ResizeAxis axis) {
  const AxisParams a = axis_params(p, axis);
  std::vector<CubicTap> taps(static_cast<size_t>(out));
  const float ca = p.cubic_a;
  for (int64_t i = 0; i < out; ++i) {
    // Mirrors cubic_axis() in ops/reference.cc: coefficients in float as ONNX Runtime.
    const float src = static_cast<float>(source_coordinate(p.coord, i, in, out, a));
    CubicTap& t = taps[i];
    t.outside = is_outside(p, src, in) ? 1 : 0;
    const int64_t base = static_cast<int64_t>(std::floor(src));
    const float s = std::abs(src - static_cast<float>(base));
    const float c[4] = {
        ((ca * (s + 1) - 5 * ca) * (s + 1) + 8 * ca) * (s + 1) - 4 * ca,
        ((ca + 2) * s - (ca + 3)) * s * s + 1,
        ((ca + 2) * (1 - s) - (ca + 3)) * (1 - s) * (1 - s) + 1,
        ((ca * (2 - s) - 5 * ca) * (2 - s) + 8 * ca) * (2 - s) - 4 * ca,
    };
    float sum = 0.f;
    for (int k = 0; k < 4; ++k) {
      const int64_t idx = base - 1 + k;
      const bool beyond = idx < 0 || idx >= in;
      t.i[k] = static_cast<int32_t>(std::clamp<int64_t>(idx, 0, in - 1));
      t.w[k] = p.exclude_outside && beyond ? 0.f : c[k];
      sum += t.w[k];
    }
    if (p.exclude_outside)
      for (float& w : t.w) w /= sum;
  }
  return taps;
}

}  // namespace toonbox
