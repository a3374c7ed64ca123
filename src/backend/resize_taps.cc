#include "backend/resize_taps.h"

#include <algorithm>
#include <cmath>

#include "graph/tensor_geometry.h"

namespace toonbox::backend {

namespace {

struct AxisParams {
  float scale = 0.f;
  float roi0 = 0.f, roi1 = 1.f;
};

AxisParams axis_params(const graph::ResizeParams& p, ResizeAxis axis) {
  if (axis == ResizeAxis::kHeight) return {p.scale_h, p.roi_h0, p.roi_h1};
  return {p.scale_w, p.roi_w0, p.roi_w1};
}

// tf_crop_and_resize samples outside [0, in - 1] take the extrapolation value.
bool is_outside(const graph::ResizeParams& p, double src, int64_t in) {
  return p.coord == graph::ResizeCoord::kTfCropAndResize &&
         (src < 0 || src > static_cast<double>(in - 1));
}

}  // namespace

std::vector<ResizeTap> resize_taps(const graph::ResizeParams& p, int64_t in, int64_t out,
                                   ResizeAxis axis) {
  const AxisParams a = axis_params(p, axis);
  std::vector<ResizeTap> taps(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const double src =
        graph::resize_source_coordinate(p.coord, i, in, out, a.scale, a.roi0, a.roi1);
    ResizeTap& t = taps[i];
    t.outside = is_outside(p, src, in) ? 1 : 0;
    if (p.mode == graph::ResizeMode::kNearest) {
      t.i0 = t.i1 = static_cast<int32_t>(graph::resize_nearest_index(p.nearest, src, in));
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

std::vector<ResizeTap> resize_taps(const graph::ResizeParams& p, int64_t in, int64_t out,
                                   float scale) {
  graph::ResizeParams q = p;
  q.scale_h = scale;
  return resize_taps(q, in, out, ResizeAxis::kHeight);
}

std::vector<CubicTap> cubic_taps(const graph::ResizeParams& p, int64_t in, int64_t out,
                                 ResizeAxis axis) {
  const AxisParams a = axis_params(p, axis);
  std::vector<CubicTap> taps(static_cast<size_t>(out));
  const float ca = p.cubic_a;
  for (int64_t i = 0; i < out; ++i) {
    // Mirrors the cubic case of resize_axis() in ops/reference.cc: coefficients in float
    // as ONNX Runtime.
    const float src = static_cast<float>(
        graph::resize_source_coordinate(p.coord, i, in, out, a.scale, a.roi0, a.roi1));
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

}  // namespace toonbox::backend
