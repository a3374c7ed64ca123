// Conv2D through cuDNN's graph ("backend") API: one operation graph per node holding the
// convolution and, where an engine supports it, the bias add and the activation as
// pointwise operations fused into the convolution's epilogue (cuDNN's runtime fusion
// engines), with TF's asymmetric SAME padding passed as pre/post paddings instead of an
// explicit pad kernel.
//
// Why not only the legacy API (conv_cudnn.cc): on the H200 its Find picked cuDNN's
// generic, non-tensor-core NHWC engine for three White-box convolutions (the two stride-2
// convs after the pad kernel, the 32->64 conv at 512^2; issue 13: 1.66 of 4.86 ms). The
// legacy API offers one engine per algorithm enum; the graph API lists every engine the
// heuristics rank for the problem, and this step times the top ones on the real buffers
// (as PyTorch's cudnn.benchmark does) and keeps the fastest.
//
// Tried in order, the first that has an engine wins: fused + cuDNN padding, fused +
// explicit pad, conv only + cuDNN padding (+ our epilogue kernel), conv only + explicit
// pad. Nothing found: the caller falls back to the legacy path. Grouped convolutions
// stay on the legacy path.
//
// fp32: engines whose numerical notes say TENSOR_CORE (TF32) or DOWN_CONVERT_INPUTS are
// dropped, as the legacy path's FMA math does, unless TF32 is allowed (conv_tf32_allowed).
// Any precision: engines noted REDUCED_PRECISION_REDUCTION (half accumulation) are dropped.
#pragma once

#include <memory>

#include "backend/cuda/step.h"

namespace toonbox::cuda {

// TOONBOX_CUDA_CONV_API=legacy sends every conv to the legacy API (tests compare the two;
// the bench measures before/after); anything else, or unset, tries the graph API first.
// TOONBOX_CUDA_CONV_VARIANTS=fused (tests) allows only the fused variants.
bool graph_conv_api_enabled();

// The graph path's step, or kUnimplemented when no engine takes the node (the caller
// falls back). `scratch` as for cudnn_conv_scratch_bytes (the explicit-pad variants).
Result<std::unique_ptr<Step>> make_graph_conv(const BuildContext& ctx, const graph::Node& node,
                                              void* scratch);

}  // namespace toonbox::cuda
