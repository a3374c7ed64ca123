// Steps of the index ops on kernels/index_ops.cu: ArgMax and ScatterElements (the
// latter copies data to the output, then scatters with the shared ScatterPlan).
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_arg_max_step(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_scatter_elements_step(const BuildContext& ctx,
                                                         const graph::Node& node);

}  // namespace toonbox::cuda
