#include "backend/cuda/conv_steps.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "backend/cuda/conv_algo_cache.h"
#include "backend/cuda/conv_common.h"
#include "backend/cuda/conv_cudnn.h"
#include "backend/cuda/conv_direct.h"
#include "backend/cuda/conv_small_channels.h"
#include "backend/cuda/conv_graph_api.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"
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

// A depthwise conv (one input channel per group: the guided filter's box filters, the
// separable blocks of mobile nets). cuDNN runs these on its legacy API with generic
// kernels (issue 13's profile: 66 us for a 3x3 box filter over 1024x1024x3 fp16, ~10x
// its memory time), so the direct kernel competes with it, timed on the real buffers.
bool is_depthwise(const graph::Graph& g, const graph::Node& node) {
  const ConvShape s = conv_shape(g, node);
  return s.groups > 1 && s.cg == 1 && s.groups == s.c;
}

// Median of 5 runs after one warm-up, on the step's real (compile-time) buffers.
Result<float> time_step(Step& step, const StepContext& ctx) {
  TB_ASSIGN_OR_RETURN(UniqueEvent start, create_event());
  TB_ASSIGN_OR_RETURN(UniqueEvent stop, create_event());
  TB_RETURN_IF_ERROR(step.run(ctx));
  std::vector<float> times;
  for (int i = 0; i < 5; ++i) {
    TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(start.get(), ctx.stream));
    TB_RETURN_IF_ERROR(step.run(ctx));
    TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(stop.get(), ctx.stream));
    TB_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(stop.get()));
    float ms = 0;
    TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&ms, start.get(), stop.get()));
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

std::string format_ms(float ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f ms", ms);
  return buffer;
}

// TOONBOX_CUDA_CONV_CHOICE=own or =cudnn (tests, comparisons): where one of our kernels
// competes with cuDNN, take that side without timing. Read at each compile.
const char* forced_conv_choice() {
  const char* v = std::getenv("TOONBOX_CUDA_CONV_CHOICE");
  if (v == nullptr) return nullptr;
  const std::string choice = v;
  return choice == "own" ? "own" : choice == "cudnn" ? "cudnn" : nullptr;
}

// Which of our kernels competes with cuDNN: the api field of a timed choice's cache key.
enum class OwnKernel : int32_t { kDepthwiseDirect = 2, kFewOutputs = 3, kFewInputs = 4 };
// Part of the key: a change to our kernels that could turn a choice around bumps it, so
// the choices an older build timed are not reused.
constexpr int32_t kOwnKernelsRevision = 2;  // 2: the few-outputs kernel as a tap-column GEMM

// A timed choice's key in the algorithm cache: the convolution as the graph API keys it
// (shape, padding, strides, groups, precision, layout, epilogue), under its own api, so it
// lives in the same process-wide map and per-GPU file as cuDNN's searches.
ConvAlgoKey timed_choice_key(const BuildContext& ctx, const graph::Node& node, OwnKernel kernel) {
  const graph::Graph& g = *ctx.graph;
  const auto& p = node.p<graph::Conv2DParams>();
  const ConvShape s = conv_shape(g, node);
  ConvAlgoKey key;
  key.api = static_cast<int32_t>(kernel);
  key.device = ctx.device;
  key.cudnn_version = static_cast<int32_t>(cudnnGetVersion());
  key.data_type = is_half(ctx.precision) ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  key.layout = s.nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
  key.math_type = (tf32_allowed(ctx.precision) ? 1 : 0) | (graph_conv_api_enabled() ? 2 : 0) |
                  (static_cast<int32_t>(p.pad_mode) << 2) | (kOwnKernelsRevision << 8);
  key.n = s.n;
  key.c = s.c;
  key.h = s.h;
  key.w = s.w;
  key.k = s.k;
  key.r = s.r;
  key.s = s.s;
  key.pad_h = p.pad_top;
  key.pad_w = p.pad_left;
  key.pad_bottom = p.pad_bottom;
  key.pad_right = p.pad_right;
  key.stride_h = p.stride_h;
  key.stride_w = p.stride_w;
  key.dilation_h = p.dilation_h;
  key.dilation_w = p.dilation_w;
  key.groups = s.groups;
  key.has_bias = node.inputs.size() > 2 ? 1 : 0;
  key.activation = static_cast<int32_t>(p.activation.op);
  std::memcpy(&key.activation_alpha, &p.activation.alpha, sizeof(float));
  return key;
}

// The faster of cuDNN's step and one of our kernels (`own`, called `name` in the
// description), each timed on the real buffers, or the choice an earlier compile timed
// for the same convolution on this GPU (the algorithm cache, on disk too: a cold start or
// a new image size does not time again). The chosen step's description says both times,
// whether they were cached, or that the choice was forced.
Result<std::unique_ptr<Step>> faster_of(const BuildContext& ctx, const graph::Node& node, OwnKernel kernel,
                                        std::unique_ptr<Step> cudnn, std::unique_ptr<Step> own,
                                        const std::string& name) {
  if (const char* forced = forced_conv_choice()) {
    std::unique_ptr<Step> chosen = std::string(forced) == "own" ? std::move(own) : std::move(cudnn);
    chosen->append_to_description(std::string("chosen by TOONBOX_CUDA_CONV_CHOICE=") + forced);
    return chosen;
  }
  const ConvAlgoKey key = timed_choice_key(ctx, node, kernel);
  float own_ms = 0, cudnn_ms = 0;
  std::string how = "timed";
  // The record: [own, cuDNN], each algorithm entry's time_ms its time.
  if (auto cached = ConvAlgoCache::instance().find(key, /*count_hit=*/false); cached && cached->size() == 2) {
    own_ms = (*cached)[0].time_ms;
    cudnn_ms = (*cached)[1].time_ms;
    how = "cached timing";
    counters().conv_choices_cached.fetch_add(1);
  } else {
    TB_ASSIGN_OR_RETURN(cudnn_ms, time_step(*cudnn, ctx.step));
    TB_ASSIGN_OR_RETURN(own_ms, time_step(*own, ctx.step));
    ConvAlgo own_entry, cudnn_entry;
    own_entry.time_ms = own_ms;
    cudnn_entry.time_ms = cudnn_ms;
    ConvAlgoCache::instance().insert(key, {own_entry, cudnn_entry});
    counters().conv_choices_timed.fetch_add(1);
  }
  std::unique_ptr<Step> chosen = own_ms < cudnn_ms ? std::move(own) : std::move(cudnn);
  chosen->append_to_description(how + ": " + name + " " + format_ms(own_ms) + ", cuDNN " + format_ms(cudnn_ms));
  return chosen;
}

// cuDNN's step for a conv: the graph API, else the legacy API (which has the direct
// kernel behind it where cuDNN offers no algorithm).
Result<std::unique_ptr<Step>> make_cudnn_conv_step(const BuildContext& ctx, const graph::Node& node,
                                                   void* scratch) {
  if (graph_conv_api_enabled()) {
    auto graph = make_graph_conv(ctx, node, scratch);
    // No graph engine (or a grouped conv): the legacy API. Out of memory and other
    // errors are the caller's.
    if (graph.is_ok() || graph.status().code() != StatusCode::kUnimplemented) return graph;
  }
  return make_cudnn_conv(ctx, node, scratch);
}

// What a Conv2D compiles to, before it is counted.
Result<std::unique_ptr<Step>> choose_conv2d_step(const BuildContext& ctx, const graph::Node& node,
                                                 void* scratch) {
  if (force_direct_conv())
    return make_direct_conv(ctx, node, "forced by TOONBOX_CUDA_FORCE_DIRECT_CONV");
  if (is_gemm_conv(*ctx.graph, node)) return make_gemm_conv(ctx, node);
  TB_ASSIGN_OR_RETURN(std::unique_ptr<Step> cudnn, make_cudnn_conv_step(ctx, node, scratch));
  if (is_direct_conv(*cudnn)) return cudnn;
  if (is_depthwise(*ctx.graph, node)) {
    TB_ASSIGN_OR_RETURN(std::unique_ptr<Step> direct, make_direct_conv(ctx, node, "depthwise"));
    return faster_of(ctx, node, OwnKernel::kDepthwiseDirect, std::move(cudnn), std::move(direct), "direct");
  }
  if (few_outputs_conv_applies(ctx, node)) {
    TB_ASSIGN_OR_RETURN(std::unique_ptr<Step> own, make_few_outputs_conv(ctx, node));
    return faster_of(ctx, node, OwnKernel::kFewOutputs, std::move(cudnn), std::move(own), "tensor-core kernel");
  }
  if (few_inputs_conv_applies(ctx, node)) {
    TB_ASSIGN_OR_RETURN(std::unique_ptr<Step> own, make_few_inputs_conv(ctx, node));
    return faster_of(ctx, node, OwnKernel::kFewInputs, std::move(cudnn), std::move(own), "tensor-core kernel");
  }
  return cudnn;
}

}  // namespace

size_t conv2d_scratch_bytes(const graph::Graph& g, const graph::Node& node, Precision precision) {
  if (force_direct_conv() || is_gemm_conv(g, node)) return 0;
  return cudnn_conv_scratch_bytes(g, node, precision);
}

Result<std::unique_ptr<Step>> make_conv2d_step(const BuildContext& ctx, const graph::Node& node,
                                               void* scratch) {
  TB_ASSIGN_OR_RETURN(std::unique_ptr<Step> step, choose_conv2d_step(ctx, node, scratch));
  step->count_as_chosen();
  return step;
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
