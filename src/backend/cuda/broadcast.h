// Numpy broadcasting of two shapes, collapsed for the binary kernel (kernels/
// elementwise.cu). Plain C++ with no CUDA dependency, so the unit tests check it
// against the reference on machines without a GPU (tests/unit/cuda_host_logic_test.cc).
#pragma once

#include <cstdint>

#include "core/tensor.h"

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

// Collapsed broadcast of a and b to `out` (shapes as numpy aligns them, from the right):
// size-1 output dims dropped, adjacent dims with the same broadcast pattern merged, so
// the common cases (same shape, tensor op scalar, tensor op per-channel vector) index
// with one or two dims.
BroadcastShape collapse_broadcast(const Shape& a, const Shape& b, const Shape& out);

}  // namespace toonbox::cuda
