// Resize kernel (resize.cu). The host (resize_step.cc) computes, per output row and
// per output column, which source rows/columns to read and the interpolation weight,
// with exactly the reference's arithmetic; the kernel only gathers.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "backend/resize_taps.h"

namespace toonbox::cuda {

struct ResizeDims {
  int n = 0, c = 0, h = 0, w = 0;  // input
  int out_h = 0, out_w = 0;
  bool nhwc = true;
  bool nearest = false;
  float extrapolation = 0.f;  // for taps marked outside (tf_crop_and_resize)
};

// y_taps has out_h entries, x_taps out_w entries (device memory). `addend` (null, or a
// tensor of y's shape) is added to each interpolated value before it is stored, in float:
// a Resize and the Add after it as one pass (resize_add_fusion.h).
template <typename T>
cudaError_t launch_resize(const T* x, T* y, const ResizeDims& dims,
                          const backend::ResizeTap* y_taps, const backend::ResizeTap* x_taps,
                          cudaStream_t stream, const T* addend = nullptr);

// Cubic: 4 x 4 taps per output pixel (dims.nearest is ignored).
template <typename T>
cudaError_t launch_resize_cubic(const T* x, T* y, const ResizeDims& dims,
                                const backend::CubicTap* y_taps, const backend::CubicTap* x_taps,
                                cudaStream_t stream);

}  // namespace toonbox::cuda
