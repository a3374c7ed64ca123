// Conv2D on our direct kernel (kernels/conv_direct.cu): the fallback when cuDNN has no
// algorithm for a convolution (some grouped fp32 NHWC cases, say), so such a model
// still runs on the GPU, and says so in its step description; and the competitor
// cuDNN's legacy kernels are timed against for depthwise convs (conv_steps.cc).
#pragma once

#include <memory>
#include <string>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_direct_conv(const BuildContext& ctx, const graph::Node& node,
                                               const std::string& why);

// A depthwise conv with the Div after it fused (depthwise_div_fusion.h): the step writes
// the Div's output. Always the direct kernel (cuDNN cannot divide in its epilogue).
Result<std::unique_ptr<Step>> make_depthwise_div(const BuildContext& ctx, const graph::Node& conv,
                                                 const graph::Node& div);

// Whether `step` was made by make_direct_conv or make_depthwise_div.
bool is_direct_conv(const Step& step);

}  // namespace toonbox::cuda
