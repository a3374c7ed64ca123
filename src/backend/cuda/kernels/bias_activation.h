// The convolution epilogue (bias_activation.cu): y = act(y + bias[channel]) in place,
// one pass after cuDNN or cuBLAS wrote y. The bias stays float32 in both precisions.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "graph/op.h"

namespace toonbox::cuda {

// n elements; channel of element i is (i / inner) % channels: inner = 1 for NHWC,
// H*W for NCHW. bias may be null (activation only).
template <typename T>
cudaError_t launch_bias_activation(T* y, const float* bias, int64_t n, int channels, int64_t inner,
                                   graph::UnaryOp op, float alpha, float beta, cudaStream_t stream);

}  // namespace toonbox::cuda
