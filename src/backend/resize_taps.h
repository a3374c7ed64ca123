// Where each output row/column of a Resize reads from: computed on the host with the
// reference's exact arithmetic and rules (float32 source coordinates as TensorFlow and
// ONNX Runtime compute them, nearest rounding, TensorFlow's clamping, ONNX Runtime's
// tf_crop_and_resize extrapolation and cubic coefficients), uploaded as a table,
// gathered by the CPU kernel (cpu_kernels.cc) and kernels/resize.cu alike. Plain C++, so
// the unit tests check it against the reference without a GPU (cuda_host_logic_test.cc).
// The coordinate mapping and nearest rounding are the reference's own functions
// (graph/tensor_geometry.h); ONNX Runtime's outputs are the independent check of both.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/op.h"

namespace toonbox::backend {

// Bilinear: value = src[i0] * (1 - w) + src[i1] * w. Nearest: src[i0]. `outside`
// (tf_crop_and_resize only): the sample falls outside the image, the output is
// ResizeParams::extrapolation whatever the other axis says.
struct ResizeTap {
  int32_t i0 = 0;
  int32_t i1 = 0;
  float w = 0.f;
  int32_t outside = 0;
};

// Cubic: value = sum_k w[k] * src[i[k]] (indices clamped to the image; with
// exclude_outside the weights of taps beyond the edge are 0 and the rest renormalized).
struct CubicTap {
  int32_t i[4] = {0, 0, 0, 0};
  float w[4] = {0.f, 0.f, 0.f, 0.f};
  int32_t outside = 0;
};

enum class ResizeAxis : uint8_t { kHeight, kWidth };

// Taps for one axis: `in` source pixels resized to `out` (nearest and bilinear).
std::vector<ResizeTap> resize_taps(const graph::ResizeParams& params, int64_t in, int64_t out,
                                   ResizeAxis axis);
// Same, for callers that only set a scale (no roi): `scale` is that axis's
// ResizeParams::scale_h or scale_w (0: the in/out ratio).
std::vector<ResizeTap> resize_taps(const graph::ResizeParams& params, int64_t in, int64_t out,
                                   float scale = 0.f);
// Taps for one axis of a cubic resize.
std::vector<CubicTap> cubic_taps(const graph::ResizeParams& params, int64_t in, int64_t out,
                                 ResizeAxis axis);

}  // namespace toonbox::backend
