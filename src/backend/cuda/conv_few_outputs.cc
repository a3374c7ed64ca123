#include "backend/cuda/conv_few_outputs.h"

#include <vector>

#include "backend/cuda/conv_common.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/conv_few_outputs.h"

namespace toonbox::cuda {

namespace {

bool has_mma(int device) {
  int major = 0;
  return cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess && major >= 8;
}

class FewOutputsConvStep final : public Step {
 public:
  Status build(const BuildContext& ctx, const graph::Node& node) {
    const graph::Graph& g = *ctx.graph;
    const auto& p = node.p<graph::Conv2DParams>();
    const ConvShape s = conv_shape(g, node);
    description_ = conv_description(g, node, ctx.precision);
    description_.insert(description_.size() - 1, ", tensor-core kernel for few outputs");
    dims_ = ConvFewOutputsDims{s.n, s.h, s.w, s.c, s.k, s.r, s.s, s.out_h, s.out_w, p.pad_top, p.pad_left};
    activation_ = p.activation;
    TB_ASSIGN_OR_RETURN(x_, ctx.value_ptr(node.inputs[0]));
    TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
    TB_ASSIGN_OR_RETURN(weights_, upload_weights(ctx, *g.value(node.inputs[1]).constant, s));
    if (node.inputs.size() > 2) {
      TB_ASSIGN_OR_RETURN(bias_, upload_bias(ctx, *g.value(node.inputs[2]).constant));
    }
    return Status::ok();
  }

  void count_as_chosen() const override { counters().convs_direct.fetch_add(1); }

  Status run(const StepContext& ctx) override {
    TB_CUDA_RETURN_IF_ERROR(launch_conv_few_outputs(static_cast<const __half*>(x_), weights_.as<__half>(),
                                                    bias_.as<float>(), static_cast<__half*>(y_), dims_, activation_,
                                                    ctx.stream));
    return Status::ok();
  }

 private:
  // OIHW float32 -> [r * s][8][c] in fp16, the outputs past k zero (the kernel's B tile).
  static Result<DeviceBuffer> upload_weights(const BuildContext& ctx, const Tensor& w, const ConvShape& s) {
    if (w.dtype() != DType::kFloat32) return invalid_argument("conv weights must be float32");
    const float* src = w.data<float>();
    std::vector<float> arranged(static_cast<size_t>(s.r) * s.s * kConvFewOutputsMax * s.c, 0.f);
    for (int k = 0; k < s.k; ++k)
      for (int c = 0; c < s.c; ++c)
        for (int r = 0; r < s.r; ++r)
          for (int q = 0; q < s.s; ++q)
            arranged[((static_cast<size_t>(r) * s.s + q) * kConvFewOutputsMax + k) * s.c + c] =
                src[((static_cast<size_t>(k) * s.c + c) * s.r + r) * s.s + q];
    const std::vector<std::byte> bytes = to_storage(arranged.data(), arranged.size(), Precision::kFloat16);
    TB_ASSIGN_OR_RETURN(DeviceBuffer buffer, DeviceBuffer::allocate(bytes.size(), "few-output conv weights"));
    TB_RETURN_IF_ERROR(upload(ctx.step.stream, buffer.get(), bytes.data(), bytes.size()));
    return buffer;
  }

  ConvFewOutputsDims dims_;
  graph::Activation activation_;
  DeviceBuffer weights_, bias_;
  void* x_ = nullptr;
  void* y_ = nullptr;
};

}  // namespace

bool few_outputs_conv_applies(const BuildContext& ctx, const graph::Node& node) {
  if (!is_half(ctx.precision)) return false;
  const auto& p = node.p<graph::Conv2DParams>();
  const ConvShape s = conv_shape(*ctx.graph, node);
  const bool outputs_fit = s.out_h == s.h + p.pad_top + p.pad_bottom - s.r + 1 &&
                           s.out_w == s.w + p.pad_left + p.pad_right - s.s + 1;
  return s.nhwc && s.groups == 1 && s.c % 16 == 0 && s.c <= kConvFewOutputsMaxChannels &&
         s.s <= kConvFewOutputsMaxWidth && s.k <= kConvFewOutputsMax && p.stride_h == 1 &&
         p.stride_w == 1 && p.dilation_h == 1 && p.dilation_w == 1 && outputs_fit && has_mma(ctx.device);
}

Result<std::unique_ptr<Step>> make_few_outputs_conv(const BuildContext& ctx,
                                                    const graph::Node& node) {
  auto step = std::make_unique<FewOutputsConvStep>();
  TB_RETURN_IF_ERROR(step->build(ctx, node).with_context(conv_description(*ctx.graph, node, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
