// Zero padding of a 4-D tensor (pad.cu). cuDNN pads convolutions symmetrically only;
// TensorFlow's SAME with stride 2 pads one more at the bottom/right, so the excess is
// materialized here and cuDNN pads the symmetric part itself.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace toonbox::cuda {

struct PadDims {
  int n = 0, c = 0, h = 0, w = 0;  // input
  int top = 0, left = 0;           // rows/columns of zeros before the input
  int out_h = 0, out_w = 0;        // >= h + top, w + left; the rest is zeros after
  bool nhwc = true;
};

template <typename T>
cudaError_t launch_pad(const T* x, T* y, const PadDims& dims, cudaStream_t stream);

}  // namespace toonbox::cuda
