// Unary and broadcasting binary kernels (elementwise.cu). Plain-type launchers: the
// host code (elementwise_steps.cc) works out shapes; these only index.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "graph/op.h"

namespace toonbox::cuda {

inline constexpr int kMaxBroadcastRank = 6;

// A broadcast after collapsing: adjacent dims with the same broadcast pattern merged,
// size-1 output dims dropped. Strides are in elements, 0 where an input is broadcast.
struct BroadcastShape {
  int rank = 1;
  int64_t out_dims[kMaxBroadcastRank] = {1, 1, 1, 1, 1, 1};
  int64_t a_strides[kMaxBroadcastRank] = {};
  int64_t b_strides[kMaxBroadcastRank] = {};
  // Both inputs are the output's shape: one flat, vectorizable loop.
  bool same_shape() const { return rank == 1 && a_strides[0] == 1 && b_strides[0] == 1; }
};

// y[i] = op(x[i]) for n contiguous elements. T is float or __half.
template <typename T>
cudaError_t launch_unary(const T* x, T* y, int64_t n, UnaryOp op, float alpha, float beta,
                         cudaStream_t stream);

// y = op(a, b) with numpy broadcasting described by `shape`; n = output elements.
template <typename T>
cudaError_t launch_binary(const T* a, const T* b, T* y, int64_t n, const BroadcastShape& shape,
                          BinaryOp op, cudaStream_t stream);

}  // namespace toonbox::cuda
