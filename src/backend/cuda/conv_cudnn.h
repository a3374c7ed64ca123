// Conv2D through cuDNN's convolution API (cudnnConvolutionForward; the "legacy" API,
// still in cuDNN 9), with the algorithm chosen by cudnnFindConvolutionForwardAlgorithmEx
// and cached per shape (conv_algo_cache.h), then our bias + activation epilogue.
//
// Math modes: fp16 data uses CUDNN_TENSOR_OP_MATH with fp32 accumulation (cuDNN's
// "pseudo half" configuration). fp32 uses CUDNN_FMA_MATH, not CUDNN_DEFAULT_MATH: on
// Ampere and later DEFAULT_MATH lets cuDNN pick TF32 tensor-core kernels, which round
// inputs to 10 mantissa bits (~1e-3 relative error); FMA_MATH restricts fp32 to
// true-fp32 kernels, so the fp32 path agrees with the CPU to ~1e-6.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

// Bytes of arena scratch the node needs: a zero-padded copy of the input when its
// padding is asymmetric (cuDNN pads both sides equally), else 0.
size_t cudnn_conv_scratch_bytes(const graph::Graph& graph, const graph::Node& node,
                                Precision precision);

// `scratch` is the node's arena scratch (null when cudnn_conv_scratch_bytes is 0).
Result<std::unique_ptr<Step>> make_cudnn_conv(const BuildContext& ctx, const graph::Node& node,
                                              void* scratch);

}  // namespace toonbox::cuda
