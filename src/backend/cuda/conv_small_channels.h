// Conv2D on our tensor-core kernels for convs with few channels on one side, where
// cuDNN's implicit-GEMM tiles (built for many channels on both) waste most of the GPU.
// Both need fp16 NHWC, one group, stride 1, no dilation, and a GPU with mma.sync
// (compute capability 8.0 or newer); conv_steps.cc times each against cuDNN's choice
// and keeps the faster.
//  - few outputs (kernels/conv_few_outputs.h): 16 to 64 input channels (a multiple of
//    16), a kernel at most 9 wide, at most 8 outputs: White-box's 7x7 32->3 output conv;
//  - few inputs (kernels/conv_few_inputs.h): at most 4 input channels, 8 to 32 outputs
//    (a multiple of 8), a kernel at most 8x8: White-box's 7x7 3->32 input conv.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

bool few_outputs_conv_applies(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_few_outputs_conv(const BuildContext& ctx, const graph::Node& node);

bool few_inputs_conv_applies(const BuildContext& ctx, const graph::Node& node);
Result<std::unique_ptr<Step>> make_few_inputs_conv(const BuildContext& ctx, const graph::Node& node);

}  // namespace toonbox::cuda
