// CPU steps for the tensor ops (ConvTranspose, MatMul, pooling, reductions, softmax and
// data movement). Data movement (Transpose, Slice, Pad, Gather, Expand, Tile) is one
// kernel: per output dim a table of source offsets built at compile time, so the run
// is a parallel gather with a memcpy fast path for contiguous rows.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::cpu {

// Resolves a value id to its float buffer (arena or constant) when the step runs.
using PointerOf = std::function<float*(int value)>;

// "" when the CPU backend has a step for this tensor op, else why not.
std::string tensor_op_unsupported_reason(const Graph& g, const Node& node);

Result<std::function<void()>> tensor_op_step(const Graph& g, const Node& node, PointerOf ptr);

}  // namespace toonbox::cpu
