#include "backend/cuda/gemm_cublas.h"

#include "backend/cuda/conv_common.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"

namespace toonbox::cuda {

namespace {

class GemmConvStep final : public Step {
 public:
  Status build(const BuildContext& ctx, const graph::Node& node);
  Status run(const StepContext& ctx) override;
  void count_as_chosen() const override { counters().convs_cublas.fetch_add(1); }

 private:
  Precision precision_ = Precision::kFloat32;
  cublasComputeType_t compute_ = CUBLAS_COMPUTE_32F;
  DeviceBuffer weights_, bias_;  // weights [K, C] row-major (OIHW with 1x1 kernels)
  const void* x_ = nullptr;
  void* y_ = nullptr;
  int m_ = 0, k_ = 0, c_ = 0;  // pixels, output channels, input channels
  Epilogue epilogue_;
};

Status GemmConvStep::build(const BuildContext& ctx, const graph::Node& node) {
  const graph::Graph& g = *ctx.graph;
  const ConvShape s = conv_shape(g, node);
  precision_ = ctx.precision;
  description_ = conv_description(g, node, precision_);
  description_.insert(description_.size() - 1, ", cuBLAS GEMM");
  const int64_t m = static_cast<int64_t>(s.n) * s.h * s.w;
  if (m > INT32_MAX) return unimplemented("GEMM with more than 2^31 rows");
  m_ = static_cast<int>(m);
  k_ = s.k;
  c_ = s.c;
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  x_ = x;
  y_ = y;
  TB_ASSIGN_OR_RETURN(weights_, upload_conv_weights(ctx, *g.value(node.inputs[1]).constant, true));
  if (node.inputs.size() > 2) {
    TB_ASSIGN_OR_RETURN(bias_, upload_bias(ctx, *g.value(node.inputs[2]).constant));
  }
  epilogue_ = make_epilogue(s, node.p<graph::Conv2DParams>(), bias_);
  compute_ = tf32_allowed(precision_) ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  return Status::ok();
}

Status GemmConvStep::run(const StepContext& ctx) {
  // cuBLAS is column-major: the row-major Y[M, K] is the column-major K x M matrix
  // Y^T = W (K x C, stored row-major as W^T's columns) * X^T (C x M).
  const float alpha = 1.f, beta = 0.f;
  const cudaDataType_t type = is_half(precision_) ? CUDA_R_16F : CUDA_R_32F;
  TB_CUBLAS_RETURN_IF_ERROR(cublasGemmEx(ctx.cublas, CUBLAS_OP_T, CUBLAS_OP_N, k_, m_, c_, &alpha,
                                         weights_.get(), type, c_, x_, type, c_, &beta, y_, type, k_,
                                         compute_, CUBLAS_GEMM_DEFAULT));
  return epilogue_.run(y_, precision_, ctx.stream);
}

}  // namespace

bool is_gemm_conv(const graph::Graph& g, const graph::Node& node) {
  if (node.kind != graph::OpKind::kConv2D) return false;
  const auto& p = node.p<graph::Conv2DParams>();
  const Shape& w = g.value(node.inputs[1]).shape;
  return p.layout == graph::Layout::kNHWC && w.size() == 4 && w[2] == 1 && w[3] == 1 &&
         p.stride_h == 1 && p.stride_w == 1 && p.groups == 1 && p.pad_top == 0 &&
         p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0;
}

Result<std::unique_ptr<Step>> make_gemm_conv(const BuildContext& ctx, const graph::Node& node) {
  auto step = std::make_unique<GemmConvStep>();
  TB_RETURN_IF_ERROR(step->build(ctx, node).with_context(conv_description(*ctx.graph, node, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
