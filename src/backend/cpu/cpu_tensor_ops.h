// CPU steps for the tensor ops (ConvTranspose, MatMul, pooling, reductions, softmax and
// data movement). Data movement (Transpose, Slice, Pad, Gather, Expand, Tile) is one
// kernel: per output dim a table of source offsets built at compile time, so the run
// is a parallel gather with a memcpy fast path for contiguous rows.
#pragma once

#include <functional>
#include <string>

#include "backend/tensor_plans.h"
#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::cpu {

// Resolves a value id to its float buffer (arena or constant) when the step runs.
using PointerOf = std::function<float*(int value)>;

using Step = std::function<void()>;

// Transpose, Slice, Pad, Gather, Expand, Tile: `table` from backend/tensor_plans.h.
Step gather_step(const graph::Graph& g, const graph::Node& node, backend::GatherTable table,
                 PointerOf ptr);
Step copy_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);  // Reshape, Cast
Step concat_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);
Step where_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);
Step reduce_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);
Step softmax_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);
Step pool_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);
Step matmul_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);  // own kernel
Step conv_transpose_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);
// cpu_index_ops.cc: ArgMax (index as float), ScatterElements (indices as exact floats).
Step arg_max_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);
Step scatter_elements_step(const graph::Graph& g, const graph::Node& node, PointerOf ptr);

}  // namespace toonbox::cpu
