// Steps of the tensor ops (ConvTranspose, MatMul, Pool, Reduce, Softmax, Transpose,
// Reshape, Concat, Slice, Pad, Gather, Expand, Tile, Cast) on kernels/tensor_ops.cu.
// Index tables come from backend/tensor_plans.h (the CPU backend's plans) and are
// uploaded once at compile time.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_tensor_step(const BuildContext& ctx, const Node& node);

// The capability query for these ops ("" when supported).
std::string tensor_op_unsupported_reason(const Graph& g, const Node& node);

}  // namespace toonbox::cuda
