// Conv2D on our tensor-core kernel for few output channels (kernels/conv_few_outputs.h):
// fp16 NHWC, one group, stride 1, no dilation, 16 to 64 input channels (a multiple of
// 16), a kernel at most 9 wide, at most 8 outputs, on a GPU with mma.sync (compute
// capability 8.0 or newer). conv_steps.cc times it against cuDNN's choice and keeps the
// faster.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

bool few_outputs_conv_applies(const BuildContext& ctx, const graph::Node& node);

Result<std::unique_ptr<Step>> make_few_outputs_conv(const BuildContext& ctx,
                                                    const graph::Node& node);

}  // namespace toonbox::cuda
