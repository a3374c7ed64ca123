#include "backend/cuda/conv_steps.h"

#include <cstdlib>

#include "backend/cuda/conv_cudnn.h"
#include "backend/cuda/conv_direct.h"
#include "backend/cuda/conv_graph_api.h"
#include "backend/cuda/gemm_cublas.h"
#include "backend/cuda/kernels/tensor_ops.h"

namespace toonbox::cuda {

namespace {

// Debugging and test switch: every Conv2D on the direct kernel, to compare it with
// cuDNN and cuBLAS (ncnn's practice of running the naive path beside the fast one).
bool force_direct_conv() {
  const char* v = std::getenv("TOONBOX_CUDA_FORCE_DIRECT_CONV");
  return v != nullptr && v[0] != '\0' && v[0] != '0';
}

}  // namespace

size_t conv2d_scratch_bytes(const graph::Graph& g, const graph::Node& node, Precision precision) {
  if (force_direct_conv() || is_gemm_conv(g, node)) return 0;
  return cudnn_conv_scratch_bytes(g, node, precision);
}

Result<std::unique_ptr<Step>> make_conv2d_step(const BuildContext& ctx, const graph::Node& node,
                                               void* scratch) {
  if (force_direct_conv())
    return make_direct_conv(ctx, node, "forced by TOONBOX_CUDA_FORCE_DIRECT_CONV");
  if (is_gemm_conv(*ctx.graph, node)) return make_gemm_conv(ctx, node);
  if (graph_conv_api_enabled()) {
    auto graph = make_graph_conv(ctx, node, scratch);
    // No graph engine (or a grouped conv): the legacy API, which has the direct-kernel
    // fallback behind it. Out of memory and other errors are the caller's.
    if (graph.is_ok() || graph.status().code() != StatusCode::kUnimplemented) return graph;
  }
  return make_cudnn_conv(ctx, node, scratch);
}

Result<std::unique_ptr<Step>> make_conv_transpose_step(const BuildContext& ctx,
                                                       const graph::Node& node) {
  const graph::Graph& g = *ctx.graph;
  const auto& p = node.p<graph::ConvTransposeParams>();
  const Shape& xs = g.value(node.inputs[0]).shape;
  const Shape& ws = g.value(node.inputs[1]).shape;
  const Shape& ys = g.value(node.outputs[0]).shape;
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* w, ctx.value_ptr(node.inputs[1]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  void* bias = nullptr;
  if (node.inputs.size() > 2) {
    TB_ASSIGN_OR_RETURN(bias, ctx.value_ptr(node.inputs[2]));
  }
  const ConvTransposeDims d{xs[0],     xs[1],      xs[2],      xs[3],        ys[1],
                            ys[2],     ys[3],      ws[1],      ws[2],        ws[3],
                            p.groups,  p.stride_h, p.stride_w, p.dilation_h, p.dilation_w,
                            p.pad_top, p.pad_left};
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(g, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_conv_transpose<T>(static_cast<const T*>(x), static_cast<const T*>(w),
                                      static_cast<const T*>(bias), static_cast<T*>(y), d, s);
    });
  });
}

}  // namespace toonbox::cuda
