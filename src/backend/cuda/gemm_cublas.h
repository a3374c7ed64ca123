// Conv2D as one GEMM through cuBLAS: for NHWC, a 1x1, stride-1, unpadded, ungrouped
// convolution is exactly Y[N*H*W, K] = X[N*H*W, C] * W[K, C]^T, with no im2col and no
// layout change. fp32 runs CUBLAS_COMPUTE_32F (true fp32, no TF32); fp16 stores half
// and accumulates in fp32 on tensor cores. The bias + activation epilogue follows.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

bool is_gemm_conv(const graph::Graph& graph, const graph::Node& node);

Result<std::unique_ptr<Step>> make_gemm_conv(const BuildContext& ctx, const graph::Node& node);

}  // namespace toonbox::cuda
