// Steps of the data-movement ops on kernels/tensor_ops.cu: Transpose, Slice, Pad,
// Gather, Expand and Tile through one gather kernel over compile-time offset tables
// (backend/tensor_plans.h, shared with the CPU backend), Reshape and Cast as copies (a
// no-op when the planner gave input and output the same slot), Concat, Where.
#pragma once

#include <memory>

#include "backend/cuda/step.h"
#include "backend/tensor_plans.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_gather_step(const BuildContext& ctx, const graph::Node& node,
                                               backend::GatherTable table);
Result<std::unique_ptr<Step>> make_copy_step(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_concat_step(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_where_step(const BuildContext& ctx, const graph::Node& node);

}  // namespace toonbox::cuda
