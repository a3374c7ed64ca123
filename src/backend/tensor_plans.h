// Compile-time index plans of the tensor ops, shared by the CPU and CUDA backends (no
// CUDA dependency): per-dim source-offset tables for data movement, window offsets for
// reductions, batch offsets for MatMul, the Softmax axis split. Built once per compiled
// shape; small.
#pragma once

#include <vector>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::backend {

// out[i0..ir] = in[sum_d offs[d][i_d]], or `fill` when any entry is negative: one data
// movement kernel for Transpose, Slice, Pad, Gather (constant indices), Expand and Tile,
// each with its own table builder.
struct GatherTable {
  Shape out;
  std::vector<std::vector<int64_t>> offs;
  float fill = 0.f;
};
GatherTable transpose_table(const graph::Graph& g, const graph::Node& node);
Result<GatherTable> slice_table(const graph::Graph& g, const graph::Node& node);
Result<GatherTable> pad_table(const graph::Graph& g, const graph::Node& node);
GatherTable gather_index_table(const graph::Graph& g, const graph::Node& node);  // Gather
GatherTable broadcast_table(const graph::Graph& g, const graph::Node& node);     // Expand and Tile
GatherTable depth_space_table(const graph::Graph& g,
                              const graph::Node& node);  // DepthToSpace, SpaceToDepth

// Softmax along `axis` of x: element (o, k, i) sits at (o * len + k) * inner + i.
struct SoftmaxPlan {
  int64_t outer = 1, len = 1, inner = 1;
};
SoftmaxPlan softmax_plan(const Shape& x, int axis);

// ScatterElements: indices element i writes output[base[i] + index * axis_stride], where
// index is indices[i] wrapped once by axis_dim (out-of-range indices are skipped by the
// kernels; the reference refuses them).
struct ScatterPlan {
  std::vector<int64_t> base;
  int64_t axis_stride = 1, axis_dim = 1;
};
ScatterPlan scatter_plan(const graph::Graph& g, const graph::Node& node);

// Reduce: output element i reads input[base[i] + members[k]] for every k.
struct ReducePlan {
  graph::ReduceOp op;
  std::vector<int64_t> base;
  std::vector<int64_t> members;
};
ReducePlan reduce_plan(const graph::Graph& g, const graph::Node& node);

// MatMul: batch element b multiplies a[a_off[b]...] [M,K] by b[b_off[b]...] [K,N].
struct MatMulPlan {
  int64_t M, K, N;
  std::vector<int64_t> a_off, b_off;
};
MatMulPlan matmul_plan(const Shape& a, const Shape& b, const Shape& y);

}  // namespace toonbox::backend
