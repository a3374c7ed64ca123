#include "backend/cuda/conv_small_channels.h"

#include <vector>

#include "backend/cuda/conv_common.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/conv_few_inputs.h"
#include "backend/cuda/kernels/conv_few_outputs.h"

namespace toonbox::cuda {

namespace {

bool has_mma(int device) {
  int major = 0;
  return cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess && major >= 8;
}

// What both kernels need: fp16 NHWC, one group, stride 1, no dilation, outputs the size
// the padding gives (nothing cropped), mma.sync.
bool small_channel_conv_shape(const BuildContext& ctx, const graph::Node& node) {
  if (!is_half(ctx.precision)) return false;
  const auto& p = node.p<graph::Conv2DParams>();
  const ConvShape s = conv_shape(*ctx.graph, node);
  const bool outputs_fit = s.out_h == s.h + p.pad_top + p.pad_bottom - s.r + 1 &&
                           s.out_w == s.w + p.pad_left + p.pad_right - s.s + 1;
  return s.nhwc && s.groups == 1 && p.stride_h == 1 && p.stride_w == 1 && p.dilation_h == 1 &&
         p.dilation_w == 1 && outputs_fit && has_mma(ctx.device);
}

enum class SmallChannelKernel { kFewOutputs, kFewInputs };

// OIHW float32 weights rearranged for one kernel, in fp16:
//  - few outputs: [r][conv_few_outputs_tiles(s, k) * 8][c], column q * k + o (one kernel
//    row's taps and outputs are one GEMM's columns), zero past s k;
//  - few inputs: [r][k][conv_few_inputs_row(s)], element q * 4 + c, zero for c >= the
//    conv's channels and past 4 s (one kernel row is one reduction).
std::vector<float> arrange_weights(SmallChannelKernel kernel, const float* src, const ConvShape& s) {
  const size_t row = conv_few_inputs_row(s.s);
  const size_t columns = static_cast<size_t>(conv_few_outputs_tiles(s.s, s.k)) * 8;
  std::vector<float> out(kernel == SmallChannelKernel::kFewOutputs ? static_cast<size_t>(s.r) * columns * s.c
                                                                   : static_cast<size_t>(s.r) * s.k * row,
                         0.f);
  for (int k = 0; k < s.k; ++k)
    for (int c = 0; c < s.c; ++c)
      for (int r = 0; r < s.r; ++r)
        for (int q = 0; q < s.s; ++q) {
          const float v = src[((static_cast<size_t>(k) * s.c + c) * s.r + r) * s.s + q];
          if (kernel == SmallChannelKernel::kFewOutputs)
            out[(static_cast<size_t>(r) * columns + static_cast<size_t>(q) * s.k + k) * s.c + c] = v;
          else
            out[(static_cast<size_t>(r) * s.k + k) * row + q * 4 + c] = v;
        }
  return out;
}

class SmallChannelConvStep final : public Step {
 public:
  explicit SmallChannelConvStep(SmallChannelKernel kernel) : kernel_(kernel) {}

  Status build(const BuildContext& ctx, const graph::Node& node) {
    const graph::Graph& g = *ctx.graph;
    const auto& p = node.p<graph::Conv2DParams>();
    const ConvShape s = conv_shape(g, node);
    description_ = conv_description(g, node, ctx.precision);
    description_.insert(description_.size() - 1, kernel_ == SmallChannelKernel::kFewOutputs
                                                      ? ", tensor-core kernel for few outputs"
                                                      : ", tensor-core kernel for few inputs");
    dims_ = Dims{s.n, s.h, s.w, s.c, s.k, s.r, s.s, s.out_h, s.out_w, p.pad_top, p.pad_left};
    activation_ = p.activation;
    if (kernel_ == SmallChannelKernel::kFewOutputs) {
      TB_CUDA_RETURN_IF_ERROR(prepare_conv_few_outputs(few_outputs_dims()));
    }
    TB_ASSIGN_OR_RETURN(x_, ctx.value_ptr(node.inputs[0]));
    TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
    const Tensor& w = *g.value(node.inputs[1]).constant;
    if (w.dtype() != DType::kFloat32) return invalid_argument("conv weights must be float32");
    const std::vector<float> arranged = arrange_weights(kernel_, w.data<float>(), s);
    const std::vector<std::byte> bytes = to_storage(arranged.data(), arranged.size(), Precision::kFloat16);
    TB_ASSIGN_OR_RETURN(weights_, DeviceBuffer::allocate(bytes.size(), "small-channel conv weights"));
    TB_RETURN_IF_ERROR(upload(ctx.step.stream, weights_.get(), bytes.data(), bytes.size()));
    if (node.inputs.size() > 2) {
      TB_ASSIGN_OR_RETURN(bias_, upload_bias(ctx, *g.value(node.inputs[2]).constant));
    }
    return Status::ok();
  }

  void count_as_chosen() const override { counters().convs_direct.fetch_add(1); }

  Status run(const StepContext& ctx) override {
    const auto* x = static_cast<const __half*>(x_);
    auto* y = static_cast<__half*>(y_);
    const Dims& d = dims_;
    if (kernel_ == SmallChannelKernel::kFewOutputs) {
      TB_CUDA_RETURN_IF_ERROR(launch_conv_few_outputs(x, weights_.as<__half>(), bias_.as<float>(), y,
                                                      few_outputs_dims(), activation_, ctx.stream));
    } else {
      const ConvFewInputsDims few{d.n, d.h, d.w, d.c, d.k, d.r, d.s, d.out_h, d.out_w, d.pad_top, d.pad_left};
      TB_CUDA_RETURN_IF_ERROR(
          launch_conv_few_inputs(x, weights_.as<__half>(), bias_.as<float>(), y, few, activation_, ctx.stream));
    }
    return Status::ok();
  }

 private:
  ConvFewOutputsDims few_outputs_dims() const {
    const Dims& d = dims_;
    return {d.n, d.h, d.w, d.c, d.k, d.r, d.s, d.out_h, d.out_w, d.pad_top, d.pad_left};
  }

  struct Dims {
    int n, h, w, c, k, r, s, out_h, out_w, pad_top, pad_left;
  };
  SmallChannelKernel kernel_;
  Dims dims_{};
  graph::Activation activation_;
  DeviceBuffer weights_, bias_;
  void* x_ = nullptr;
  void* y_ = nullptr;
};

Result<std::unique_ptr<Step>> make_small_channel_conv(SmallChannelKernel kernel, const BuildContext& ctx,
                                                      const graph::Node& node) {
  auto step = std::make_unique<SmallChannelConvStep>(kernel);
  TB_RETURN_IF_ERROR(step->build(ctx, node).with_context(conv_description(*ctx.graph, node, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace

bool few_outputs_conv_applies(const BuildContext& ctx, const graph::Node& node) {
  if (!small_channel_conv_shape(ctx, node)) return false;
  const ConvShape s = conv_shape(*ctx.graph, node);
  return s.c % 16 == 0 && s.c <= kConvFewOutputsMaxChannels && s.s <= kConvFewOutputsMaxWidth &&
         s.k <= kConvFewOutputsMax;
}

Result<std::unique_ptr<Step>> make_few_outputs_conv(const BuildContext& ctx, const graph::Node& node) {
  return make_small_channel_conv(SmallChannelKernel::kFewOutputs, ctx, node);
}

bool few_inputs_conv_applies(const BuildContext& ctx, const graph::Node& node) {
  if (!small_channel_conv_shape(ctx, node)) return false;
  const ConvShape s = conv_shape(*ctx.graph, node);
  return s.c <= kConvFewInputsMaxChannels && s.k % 8 == 0 && s.k <= kConvFewInputsMaxOutputs &&
         s.r <= kConvFewInputsMaxKernel && s.s <= kConvFewInputsMaxKernel;
}

Result<std::unique_ptr<Step>> make_few_inputs_conv(const BuildContext& ctx, const graph::Node& node) {
  return make_small_channel_conv(SmallChannelKernel::kFewInputs, ctx, node);
}

}  // namespace toonbox::cuda
