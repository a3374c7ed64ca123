// Steps of the ops that combine windows of their input: Reduce (compile-time window
// tables from backend/tensor_plans.h), Softmax and Pool on kernels/tensor_ops.cu,
// InstanceNorm on kernels/normalization.cu. fp16 storage, float accumulation.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_reduce_step(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_softmax_step(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_pool_step(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_instance_norm_step(const BuildContext& ctx,
                                                      const graph::Node& node);

}  // namespace toonbox::cuda
