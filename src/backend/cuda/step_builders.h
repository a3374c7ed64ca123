// The CUDA backend's one dispatch from op kind to step builder (one builder file per op
// family: conv_steps, elementwise_steps, resize_step, matmul_cublas,
// data_movement_steps, reduction_steps).
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

// `conv_scratch`: the node's arena scratch (conv_steps.h), null for other nodes.
Result<std::unique_ptr<Step>> make_step(const BuildContext& ctx, const graph::Node& node,
                                        void* conv_scratch);

}  // namespace toonbox::cuda
