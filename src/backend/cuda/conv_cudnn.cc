#include "backend/cuda/conv_cudnn.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <string>
#include <vector>

#include "backend/cuda/conv_algo_cache.h"
#include "backend/cuda/conv_common.h"
#include "backend/cuda/conv_direct.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/pad.h"

namespace toonbox::cuda {

namespace {

const char* algo_name(cudnnConvolutionFwdAlgo_t a) {
  switch (a) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: return "IMPLICIT_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM: return "IMPLICIT_PRECOMP_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: return "GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT: return "DIRECT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT: return "FFT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING: return "FFT_TILING";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD: return "WINOGRAD";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: return "WINOGRAD_NONFUSED";
    default: return "?";
  }
}

// cuDNN pads symmetrically: keep min(before, after) for cuDNN and materialize the rest.
struct PadSplit {
  int cudnn_h = 0, cudnn_w = 0;  // symmetric padding passed to cuDNN
  int extra_top = 0, extra_bottom = 0, extra_left = 0, extra_right = 0;
  bool explicit_pad() const { return extra_top + extra_bottom + extra_left + extra_right > 0; }
};

PadSplit split_padding(const graph::Conv2DParams& p) {
  PadSplit s;
  s.cudnn_h = std::min(p.pad_top, p.pad_bottom);
  s.cudnn_w = std::min(p.pad_left, p.pad_right);
  s.extra_top = p.pad_top - s.cudnn_h;
  s.extra_bottom = p.pad_bottom - s.cudnn_h;
  s.extra_left = p.pad_left - s.cudnn_w;
  s.extra_right = p.pad_right - s.cudnn_w;
  return s;
}

class CudnnConvStep final : public Step {
 public:
  Status run(const StepContext& ctx) override;
  size_t workspace_bytes() const override { return candidates_[chosen_].workspace; }
  void count_as_chosen() const override { counters().convs_cudnn.fetch_add(1); }

  Status build(const BuildContext& ctx, const graph::Node& node, void* scratch);

 private:
  Status search(const BuildContext& ctx, const ConvAlgoKey& key, const void* x);
  Status choose(Workspace& workspace);
  Status apply_math(const ConvAlgo& algo);
  void describe(const std::string& base);

  Precision precision_ = Precision::kFloat32;
  std::string base_description_;
  UniqueTensorDesc x_desc_, y_desc_;
  UniqueFilterDesc w_desc_;
  UniqueConvDesc conv_desc_;
  DeviceBuffer weights_, bias_;
  const void* x_ = nullptr;
  void* y_ = nullptr;
  bool pad_ = false;
  PadDims pad_dims_;
  void* padded_ = nullptr;
  std::vector<ConvAlgo> candidates_;  // ranked, fastest first
  size_t chosen_ = 0;
  Epilogue epilogue_;
};

void CudnnConvStep::describe(const std::string& base) {
  base_description_ = base;
  description_ = base;
  if (!candidates_.empty()) {
    const ConvAlgo& a = candidates_[chosen_];
    description_.insert(description_.size() - 1, std::string(", cuDNN ") + algo_name(a.algo) +
                                                      (a.math == CUDNN_TENSOR_OP_MATH ? " tensor-op" : "") +
                                                      " ws " + format_bytes(a.workspace));
  }
}

Status CudnnConvStep::apply_math(const ConvAlgo& algo) {
  // fp32 stays on FMA math whatever the search reported (see the header: no TF32),
  // unless TF32 was asked for.
  const cudnnMathType_t math = (is_half(precision_) || tf32_allowed(precision_)) ? algo.math : CUDNN_FMA_MATH;
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetConvolutionMathType(conv_desc_.get(), math));
  return Status::ok();
}

Status CudnnConvStep::build(const BuildContext& ctx, const graph::Node& node, void* scratch) {
  const graph::Graph& g = *ctx.graph;
  const auto& p = node.p<graph::Conv2DParams>();
  const ConvShape s = conv_shape(g, node);
  precision_ = ctx.precision;
  describe(conv_description(g, node, precision_));

  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  x_ = x;
  y_ = y;

  const PadSplit split = split_padding(p);
  const int h = s.h + split.extra_top + split.extra_bottom;
  const int w = s.w + split.extra_left + split.extra_right;
  if (split.explicit_pad()) {
    if (scratch == nullptr) return internal_error("asymmetric padding without arena scratch");
    pad_ = true;
    padded_ = scratch;
    pad_dims_ = PadDims{s.n, s.c, s.h, s.w, split.extra_top, split.extra_left, h, w, s.nhwc};
  }

  const cudnnDataType_t dtype = is_half(precision_) ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  const cudnnTensorFormat_t format = s.nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
  const cudnnMathType_t math =
      (is_half(precision_) || tf32_allowed(precision_)) ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;

  TB_ASSIGN_OR_RETURN(x_desc_, create_tensor_desc());
  TB_ASSIGN_OR_RETURN(y_desc_, create_tensor_desc());
  TB_ASSIGN_OR_RETURN(w_desc_, create_filter_desc());
  TB_ASSIGN_OR_RETURN(conv_desc_, create_conv_desc());
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetTensor4dDescriptor(x_desc_.get(), format, dtype, s.n, s.c, h, w));
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetFilter4dDescriptor(w_desc_.get(), dtype, format, s.k, s.cg, s.r, s.s));
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetConvolution2dDescriptor(conv_desc_.get(), split.cudnn_h, split.cudnn_w,
                                                           p.stride_h, p.stride_w, p.dilation_h,
                                                           p.dilation_w, CUDNN_CROSS_CORRELATION,
                                                           CUDNN_DATA_FLOAT));
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetConvolutionGroupCount(conv_desc_.get(), s.groups));
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetConvolutionMathType(conv_desc_.get(), math));

  int on = 0, oc = 0, oh = 0, ow = 0;
  TB_CUDNN_RETURN_IF_ERROR(cudnnGetConvolution2dForwardOutputDim(conv_desc_.get(), x_desc_.get(),
                                                                 w_desc_.get(), &on, &oc, &oh, &ow));
  if (on != s.n || oc != s.k || oh != s.out_h || ow != s.out_w) {
    return internal_error("cuDNN computes output [" + std::to_string(on) + "," + std::to_string(oc) + "," +
                          std::to_string(oh) + "," + std::to_string(ow) + "] (NCHW), the graph expects [" +
                          std::to_string(s.n) + "," + std::to_string(s.k) + "," + std::to_string(s.out_h) +
                          "," + std::to_string(s.out_w) + "]");
  }
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetTensor4dDescriptor(y_desc_.get(), format, dtype, s.n, s.k, s.out_h, s.out_w));

  TB_ASSIGN_OR_RETURN(weights_, upload_conv_weights(ctx, *g.value(node.inputs[1]).constant, s.nhwc));
  if (node.inputs.size() > 2) {
    TB_ASSIGN_OR_RETURN(bias_, upload_bias(ctx, *g.value(node.inputs[2]).constant));
  }
  epilogue_ = make_epilogue(s, p, bias_);

  ConvAlgoKey key;
  key.device = ctx.device;
  key.cudnn_version = static_cast<int32_t>(cudnnGetVersion());
  key.data_type = dtype;
  key.layout = format;
  key.math_type = math;
  key.n = s.n;
  key.c = s.c;
  key.h = h;
  key.w = w;
  key.k = s.k;
  key.r = s.r;
  key.s = s.s;
  key.pad_h = split.cudnn_h;
  key.pad_w = split.cudnn_w;
  key.stride_h = p.stride_h;
  key.stride_w = p.stride_w;
  key.dilation_h = p.dilation_h;
  key.dilation_w = p.dilation_w;
  key.groups = s.groups;

  if (auto cached = ConvAlgoCache::instance().find(key)) {
    candidates_ = std::move(*cached);
    if (candidates_.empty()) return unimplemented("cuDNN has no algorithm for this convolution (cached)");
  } else {
    TB_RETURN_IF_ERROR(search(ctx, key, pad_ ? padded_ : x_));
  }
  TB_RETURN_IF_ERROR(choose(*ctx.step.workspace));
  describe(base_description_);
  return Status::ok();
}

// Runs every algorithm cuDNN offers on the real buffers (the arena is allocated, the
// weights are uploaded) and keeps those that succeeded, fastest first.
Status CudnnConvStep::search(const BuildContext& ctx, const ConvAlgoKey& key, const void* x) {
  cudnnHandle_t cudnn = ctx.step.cudnn;
  size_t largest = 0;
  for (int a = 0; a < CUDNN_CONVOLUTION_FWD_ALGO_COUNT; ++a) {
    size_t bytes = 0;
    if (cudnnGetConvolutionForwardWorkspaceSize(cudnn, x_desc_.get(), w_desc_.get(), conv_desc_.get(),
                                                y_desc_.get(), static_cast<cudnnConvolutionFwdAlgo_t>(a),
                                                &bytes) == CUDNN_STATUS_SUCCESS) {
      largest = std::max(largest, bytes);
    }
  }
  // Offer the search at most half the free memory; halve on allocation failure, down
  // to no workspace at all (which still admits the implicit-GEMM algorithms).
  size_t free_bytes = 0, total_bytes = 0;
  TB_CUDA_RETURN_IF_ERROR(cudaMemGetInfo(&free_bytes, &total_bytes));
  Workspace& ws = *ctx.step.workspace;
  size_t search_bytes = std::min(largest, std::max(ws.size(), free_bytes / 2));
  for (;;) {
    Status st = ws.reserve(search_bytes);
    if (st.is_ok()) break;
    if (st.code() != StatusCode::kOutOfMemory || search_bytes == 0) return st;
    search_bytes /= 2;
  }

  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int returned = 0;
  const cudnnStatus_t found = cudnnFindConvolutionForwardAlgorithmEx(
      cudnn, x_desc_.get(), x, w_desc_.get(), weights_.get(), conv_desc_.get(), y_desc_.get(), y_,
      CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf, ws.get(), search_bytes);
  counters().conv_algo_searches.fetch_add(1);
  if (CUDNN_STATUS_CATEGORY(found) == CUDNN_STATUS_NOT_SUPPORTED) {
    ConvAlgoCache::instance().insert(key, {});  // remembered: the next compile skips the search
    return cudnn_status(found, "cudnnFindConvolutionForwardAlgorithmEx", __FILE__, __LINE__)
        .with_context("cuDNN does not support this convolution");
  }
  if (found != CUDNN_STATUS_SUCCESS)
    return cudnn_status(found, "cudnnFindConvolutionForwardAlgorithmEx", __FILE__, __LINE__);

  std::vector<ConvAlgo> ranked;
  for (int i = 0; i < returned; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS) continue;
    // TF32 guard: in fp32 take only algorithms that ran without tensor-op math.
    if (!is_half(precision_) && !tf32_allowed(precision_) &&
        (perf[i].mathType == CUDNN_TENSOR_OP_MATH || perf[i].mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION))
      continue;
    ranked.push_back(ConvAlgo{perf[i].algo, perf[i].mathType, perf[i].memory, perf[i].time});
  }
  if (ranked.empty()) {
    ConvAlgoCache::instance().insert(key, {});
    return unimplemented("cuDNN has no algorithm for this convolution (" + std::to_string(returned) +
                         " tried, none succeeded with " + format_bytes(search_bytes) + " of workspace)");
  }
  ConvAlgoCache::instance().insert(key, ranked);
  candidates_ = std::move(ranked);
  return Status::ok();
}

// The fastest algorithm whose workspace can be allocated; on OOM the next-ranked one.
Status CudnnConvStep::choose(Workspace& ws) {
  Status last = Status::ok();
  for (size_t i = 0; i < candidates_.size(); ++i) {
    const ConvAlgo& a = candidates_[i];
    Status st = ws.reserve(a.workspace);
    if (!st.is_ok()) {
      if (st.code() != StatusCode::kOutOfMemory) return st;
      last = st;
      continue;
    }
    chosen_ = i;
    return apply_math(a);
  }
  return last.with_context("no cuDNN algorithm's workspace fits in device memory");
}

Status CudnnConvStep::run(const StepContext& ctx) {
  const void* x = x_;
  if (pad_) {
    if (is_half(precision_)) {
      TB_CUDA_RETURN_IF_ERROR(launch_pad<__half>(static_cast<const __half*>(x_), static_cast<__half*>(padded_),
                                                 pad_dims_, ctx.stream));
    } else {
      TB_CUDA_RETURN_IF_ERROR(launch_pad<float>(static_cast<const float*>(x_), static_cast<float*>(padded_),
                                                pad_dims_, ctx.stream));
    }
    x = padded_;
  }
  const float alpha = 1.f, beta = 0.f;  // float scaling factors for both float and half data
  for (;;) {
    const ConvAlgo& a = candidates_[chosen_];
    const cudnnStatus_t st = cudnnConvolutionForward(ctx.cudnn, &alpha, x_desc_.get(), x, w_desc_.get(),
                                                     weights_.get(), conv_desc_.get(), a.algo,
                                                     ctx.workspace->get(), ctx.workspace->size(), &beta,
                                                     y_desc_.get(), y_);
    if (st == CUDNN_STATUS_SUCCESS) break;
    // The algorithm failed: fall back to the next-ranked one that fits the workspace.
    size_t next = chosen_ + 1;
    while (next < candidates_.size() && candidates_[next].workspace > ctx.workspace->size()) ++next;
    if (next >= candidates_.size()) {
      return cudnn_status(st, "cudnnConvolutionForward", __FILE__, __LINE__)
          .with_context(std::string("algorithm ") + algo_name(a.algo));
    }
    chosen_ = next;
    TB_RETURN_IF_ERROR(apply_math(candidates_[chosen_]));
    describe(base_description_);
  }
  return epilogue_.run(y_, precision_, ctx.stream);
}

}  // namespace

size_t cudnn_conv_scratch_bytes(const graph::Graph& g, const graph::Node& node,
                                Precision precision) {
  const PadSplit split = split_padding(node.p<graph::Conv2DParams>());
  if (!split.explicit_pad()) return 0;
  const ConvShape s = conv_shape(g, node);
  return static_cast<size_t>(s.n) * s.c * (s.h + split.extra_top + split.extra_bottom) *
         (s.w + split.extra_left + split.extra_right) * storage_size(precision);
}

Result<std::unique_ptr<Step>> make_cudnn_conv(const BuildContext& ctx, const graph::Node& node,
                                              void* scratch) {
  auto step = std::make_unique<CudnnConvStep>();
  const Status st = step->build(ctx, node, scratch);
  if (st.code() == StatusCode::kUnimplemented) return make_direct_conv(ctx, node, st.message());
  TB_RETURN_IF_ERROR(st.with_context(conv_description(*ctx.graph, node, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
