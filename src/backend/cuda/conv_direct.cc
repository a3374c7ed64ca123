#include "backend/cuda/conv_direct.h"

#include <cuda_fp16.h>

#include "backend/cuda/conv_common.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/depthwise_div_fusion.h"
#include "backend/cuda/kernels/conv_direct.h"

namespace toonbox::cuda {

namespace {

class DirectConvStep final : public Step {
 public:
  // `div`: a Div of the conv's output fused after it (depthwise_div_fusion.h), whose
  // output this step writes; null for none.
  Status build(const BuildContext& ctx, const graph::Node& node, const std::string& why,
               const graph::Node* div = nullptr) {
    const graph::Graph& g = *ctx.graph;
    const auto& p = node.p<graph::Conv2DParams>();
    const ConvShape s = conv_shape(g, node);
    precision_ = ctx.precision;
    description_ = conv_description(g, node, precision_);
    description_.insert(description_.size() - 1, ", direct kernel: " + why);
    dims_ = ConvDirectDims{s.n,        s.c,          s.h,          s.w,          s.k,          s.cg,
                           s.r,        s.s,          s.out_h,      s.out_w,      p.stride_h,   p.stride_w,
                           p.dilation_h, p.dilation_w, p.pad_top, p.pad_left, s.groups, s.nhwc};
    activation_ = p.activation;
    TB_ASSIGN_OR_RETURN(x_, ctx.value_ptr(node.inputs[0]));
    if (div) {
      description_.insert(description_.size() - 1, ", / '" + g.value(div->inputs[1]).name + "' fused ('" +
                                                       div->name + "')");
      TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(div->outputs[0]));
      TB_ASSIGN_OR_RETURN(divisor_, ctx.value_ptr(div->inputs[1]));
      strides_ = divisor_strides(g, *div);
    } else {
      TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
    }
    TB_ASSIGN_OR_RETURN(weights_, upload_conv_weights(ctx, *g.value(node.inputs[1]).constant, false));
    if (node.inputs.size() > 2) {
      TB_ASSIGN_OR_RETURN(bias_, upload_bias(ctx, *g.value(node.inputs[2]).constant));
    }
    return Status::ok();
  }

  void count_as_chosen() const override { counters().convs_direct.fetch_add(1); }

  Status run(const StepContext& ctx) override {
    if (is_half(precision_)) {
      TB_CUDA_RETURN_IF_ERROR(launch_conv_direct<__half>(static_cast<const __half*>(x_), weights_.as<__half>(),
                                                         bias_.as<float>(), static_cast<__half*>(y_), dims_,
                                                         activation_, ctx.stream, divisor<__half>()));
    } else {
      TB_CUDA_RETURN_IF_ERROR(launch_conv_direct<float>(static_cast<const float*>(x_), weights_.as<float>(),
                                                        bias_.as<float>(), static_cast<float*>(y_), dims_,
                                                        activation_, ctx.stream, divisor<float>()));
    }
    return Status::ok();
  }

 private:
  template <typename T>
  ConvDivisor<T> divisor() const {
    return {static_cast<const T*>(divisor_), strides_.image, strides_.pixel, strides_.channel};
  }

  Precision precision_ = Precision::kFloat32;
  ConvDirectDims dims_;
  const void* divisor_ = nullptr;
  DivisorStrides strides_;
  graph::Activation activation_;
  DeviceBuffer weights_, bias_;
  void* x_ = nullptr;
  void* y_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Step>> make_direct_conv(const BuildContext& ctx, const graph::Node& node,
                                               const std::string& why) {
  auto step = std::make_unique<DirectConvStep>();
  TB_RETURN_IF_ERROR(step->build(ctx, node, why).with_context(conv_description(*ctx.graph, node, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

Result<std::unique_ptr<Step>> make_depthwise_div(const BuildContext& ctx, const graph::Node& conv,
                                                 const graph::Node& div) {
  auto step = std::make_unique<DirectConvStep>();
  TB_RETURN_IF_ERROR(
      step->build(ctx, conv, "depthwise", &div).with_context(conv_description(*ctx.graph, conv, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

bool is_direct_conv(const Step& step) { return dynamic_cast<const DirectConvStep*>(&step) != nullptr; }

}  // namespace toonbox::cuda
