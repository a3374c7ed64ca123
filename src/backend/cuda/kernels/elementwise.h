// Unary and broadcasting binary kernels (elementwise.cu). Plain-type launchers: the
// host code (elementwise_steps.cc) works out shapes; these only index.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "backend/cuda/broadcast.h"
#include "graph/op.h"

namespace toonbox::cuda {

// y[i] = op(x[i]) for n contiguous elements. T is float or __half.
template <typename T>
cudaError_t launch_unary(const T* x, T* y, int64_t n, graph::UnaryOp op, float alpha, float beta,
                         cudaStream_t stream);

// y = op(a, b) with numpy broadcasting described by `shape`; n = output elements.
template <typename T>
cudaError_t launch_binary(const T* a, const T* b, T* y, int64_t n, const BroadcastShape& shape,
                          graph::BinaryOp op, cudaStream_t stream);

// PRelu: y = x < 0 ? x * slope : x, the slope broadcast as `shape` describes (x is "a").
template <typename T>
cudaError_t launch_prelu(const T* x, const T* slope, T* y, int64_t n, const BroadcastShape& shape,
                         cudaStream_t stream);

}  // namespace toonbox::cuda
