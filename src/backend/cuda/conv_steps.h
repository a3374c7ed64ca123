// The convolution family: Conv2D on one of three paths (a 1x1 NHWC conv as one cuBLAS
// GEMM, cuDNN otherwise, our direct kernel where cuDNN has no algorithm or when
// TOONBOX_CUDA_FORCE_DIRECT_CONV is set), and ConvTranspose on its own kernel.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

// Arena scratch bytes the Conv2D `node` needs on the path it will take (0 for none).
size_t conv2d_scratch_bytes(const graph::Graph& graph, const graph::Node& node,
                            Precision precision);

// `scratch`: the node's arena scratch when conv2d_scratch_bytes was > 0, else null.
Result<std::unique_ptr<Step>> make_conv2d_step(const BuildContext& ctx, const graph::Node& node,
                                               void* scratch);
Result<std::unique_ptr<Step>> make_conv_transpose_step(const BuildContext& ctx,
                                                       const graph::Node& node);

}  // namespace toonbox::cuda
