// Resize kernel (resize.cu). The host (resize_step.cc) computes, per output row and
// per output column, which source rows/columns to read and the interpolation weight,
// with exactly the reference's arithmetic; the kernel only gathers.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace toonbox::cuda {

// Bilinear: value = src[i0] * (1 - w) + src[i1] * w. Nearest: src[i0].
struct ResizeTap {
  int32_t i0 = 0;
  int32_t i1 = 0;
  float w = 0.f;
};

struct ResizeDims {
  int n = 0, c = 0, h = 0, w = 0;  // input
  int out_h = 0, out_w = 0;
  bool nhwc = true;
  bool nearest = false;
};

// y_taps has out_h entries, x_taps out_w entries (device memory).
template <typename T>
cudaError_t launch_resize(const T* x, T* y, const ResizeDims& dims, const ResizeTap* y_taps,
                          const ResizeTap* x_taps, cudaStream_t stream);

}  // namespace toonbox::cuda
