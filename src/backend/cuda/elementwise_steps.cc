#include "backend/cuda/elementwise_steps.h"

#include <cuda_fp16.h>

#include <vector>

#include "backend/cuda/cuda_check.h"

namespace toonbox::cuda {

namespace {

class UnaryStep final : public Step {
 public:
  Status build(const BuildContext& ctx, const graph::Node& node) {
    description_ = node_description(*ctx.graph, node, ctx.precision);
    half_ = is_half(ctx.precision);
    params_ = node.p<graph::UnaryParams>();
    count_ = shape_numel(ctx.graph->value(node.outputs[0]).shape);
    TB_ASSIGN_OR_RETURN(x_, ctx.value_ptr(node.inputs[0]));
    TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
    return Status::ok();
  }
  Status run(const StepContext& ctx) override {
    if (half_) {
      TB_CUDA_RETURN_IF_ERROR(launch_unary<__half>(static_cast<const __half*>(x_), static_cast<__half*>(y_),
                                                   count_, params_.op, params_.alpha, params_.beta, ctx.stream));
    } else {
      TB_CUDA_RETURN_IF_ERROR(launch_unary<float>(static_cast<const float*>(x_), static_cast<float*>(y_),
                                                  count_, params_.op, params_.alpha, params_.beta, ctx.stream));
    }
    return Status::ok();
  }

 private:
  bool half_ = false;
  graph::UnaryParams params_;
  int64_t count_ = 0;
  void* x_ = nullptr;
  void* y_ = nullptr;
};

// Binary ops and PRelu (x and its slope): two inputs broadcast to the output.
class BinaryStep final : public Step {
 public:
  Status build(const BuildContext& ctx, const graph::Node& node) {
    const graph::Graph& g = *ctx.graph;
    description_ = node_description(g, node, ctx.precision);
    half_ = is_half(ctx.precision);
    prelu_ = node.kind == graph::OpKind::kPRelu;
    if (!prelu_) op_ = node.p<graph::BinaryParams>().op;
    const Shape& out = g.value(node.outputs[0]).shape;
    count_ = shape_numel(out);
    shape_ = collapse_broadcast(g.value(node.inputs[0]).shape, g.value(node.inputs[1]).shape, out);
    TB_ASSIGN_OR_RETURN(a_, ctx.value_ptr(node.inputs[0]));
    TB_ASSIGN_OR_RETURN(b_, ctx.value_ptr(node.inputs[1]));
    TB_ASSIGN_OR_RETURN(y_, ctx.value_ptr(node.outputs[0]));
    return Status::ok();
  }
  Status run(const StepContext& ctx) override {
    TB_CUDA_RETURN_IF_ERROR(half_ ? launch<__half>(ctx.stream) : launch<float>(ctx.stream));
    return Status::ok();
  }

 private:
  template <typename T>
  cudaError_t launch(cudaStream_t stream) const {
    const T* a = static_cast<const T*>(a_);
    const T* b = static_cast<const T*>(b_);
    T* y = static_cast<T*>(y_);
    return prelu_ ? launch_prelu<T>(a, b, y, count_, shape_, stream)
                  : launch_binary<T>(a, b, y, count_, shape_, op_, stream);
  }

  bool half_ = false;
  bool prelu_ = false;
  graph::BinaryOp op_ = graph::BinaryOp::kAdd;
  BroadcastShape shape_;
  int64_t count_ = 0;
  void* a_ = nullptr;
  void* b_ = nullptr;
  void* y_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Step>> make_unary(const BuildContext& ctx, const graph::Node& node) {
  auto step = std::make_unique<UnaryStep>();
  TB_RETURN_IF_ERROR(step->build(ctx, node).with_context(node_description(*ctx.graph, node, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

Result<std::unique_ptr<Step>> make_binary(const BuildContext& ctx, const graph::Node& node) {
  auto step = std::make_unique<BinaryStep>();
  TB_RETURN_IF_ERROR(step->build(ctx, node).with_context(node_description(*ctx.graph, node, ctx.precision)));
  return std::unique_ptr<Step>(std::move(step));
}

}  // namespace toonbox::cuda
