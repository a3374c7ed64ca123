#include "backend/cuda/reduction_steps.h"

#include <cstdlib>

#include "backend/cuda/kernels/normalization.h"
#include "backend/cuda/kernels/tensor_ops.h"
#include "backend/tensor_plans.h"
#include "graph/tensor_geometry.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_reduce_step(const BuildContext& ctx, const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  backend::ReducePlan plan = backend::reduce_plan(*ctx.graph, node);
  const int64_t outputs = static_cast<int64_t>(plan.base.size());
  const int64_t count = static_cast<int64_t>(plan.members.size());
  const int op = static_cast<int>(plan.op);
  const bool half = is_half(ctx.precision);
  // Members 0, 1, 2, ...: each output reduces one contiguous run and needs no member
  // table (TOONBOX_CUDA_REDUCE_RUNS=0 keeps the table kernel, for tests, here and for the
  // channels-last form below).
  bool runs = count >= 256;
  for (int64_t k = 0; runs && k < count; ++k) runs = plan.members[k] == k;
  const char* runs_env = std::getenv("TOONBOX_CUDA_REDUCE_RUNS");
  if (runs_env != nullptr && runs_env[0] == '0') runs = false;
  TB_ASSIGN_OR_RETURN(DeviceBuffer base, upload_ints(ctx, plan.base, "reduce offsets"));
  const int64_t* bp = base.as<int64_t>();
  std::vector<DeviceBuffer> tables;
  tables.push_back(std::move(base));
  if (runs) {
    return kernel_step(node_description(*ctx.graph, node, ctx.precision) + ", contiguous runs",
                       [=](cudaStream_t s) {
      return by_type(half, [&](auto tag) {
        using T = decltype(tag);
        return launch_reduce_runs<T>(static_cast<const T*>(x), static_cast<T*>(y), bp, outputs, count, op, s);
      });
    }, std::move(tables));
  }
  // Members k * S and outputs (n, c) at n * count * S + c: the pixels of channels-last data.
  const int64_t stride = count > 1 ? plan.members[1] : 0;
  bool strided = runs_env == nullptr || runs_env[0] != '0';
  strided = strided && !runs && count >= 256 && stride > 1 && outputs % stride == 0;
  for (int64_t k = 0; strided && k < count; ++k) strided = plan.members[k] == k * stride;
  for (int64_t o = 0; strided && o < outputs; ++o)
    strided = plan.base[o] == (o / stride) * count * stride + o % stride;
  if (strided) {
    const int64_t images = outputs / stride;
    TB_ASSIGN_OR_RETURN(DeviceBuffer partial,
                        DeviceBuffer::allocate(static_cast<size_t>(images * reduce_strided_chunks(count) * stride) *
                                                   sizeof(float),
                                               "reduce partials"));
    float* pp = partial.as<float>();
    tables.push_back(std::move(partial));
    return kernel_step(node_description(*ctx.graph, node, ctx.precision) + ", channels-last pixels",
                       [=](cudaStream_t s) {
      return by_type(half, [&](auto tag) {
        using T = decltype(tag);
        return launch_reduce_strided<T>(static_cast<const T*>(x), static_cast<T*>(y), pp, images, count, stride, op, s);
      });
    }, std::move(tables));
  }
  TB_ASSIGN_OR_RETURN(DeviceBuffer members, upload_ints(ctx, plan.members, "reduce windows"));
  const int64_t* mp = members.as<int64_t>();
  tables.push_back(std::move(members));
  return kernel_step(node_description(*ctx.graph, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_reduce<T>(static_cast<const T*>(x), static_cast<T*>(y), bp, outputs, mp, count,
                              op, s);
    });
  }, std::move(tables));
}

Result<std::unique_ptr<Step>> make_softmax_step(const BuildContext& ctx, const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const backend::SoftmaxPlan p = backend::softmax_plan(ctx.graph->value(node.inputs[0]).shape,
                                                       node.p<graph::SoftmaxParams>().axis);
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(*ctx.graph, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_softmax<T>(static_cast<const T*>(x), static_cast<T*>(y), p.outer, p.len,
                               p.inner, s);
    });
  });
}

Result<std::unique_ptr<Step>> make_pool_step(const BuildContext& ctx, const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const Shape& xs = ctx.graph->value(node.inputs[0]).shape;
  const Shape& ys = ctx.graph->value(node.outputs[0]).shape;
  const auto& p = node.p<graph::PoolParams>();
  const PoolDims d{xs[0] * xs[1],
                   xs[2],
                   xs[3],
                   ys[2],
                   ys[3],
                   p.kernel_h,
                   p.kernel_w,
                   p.stride_h,
                   p.stride_w,
                   p.dilation_h,
                   p.dilation_w,
                   p.pad_top,
                   p.pad_left,
                   p.pad_bottom,
                   p.pad_right,
                   p.kind == graph::PoolKind::kMax,
                   p.count_include_pad};
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(*ctx.graph, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_pool<T>(static_cast<const T*>(x), static_cast<T*>(y), d, s);
    });
  });
}

Result<std::unique_ptr<Step>> make_instance_norm_step(const BuildContext& ctx,
                                                      const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* scale, ctx.value_ptr(node.inputs[1]));
  TB_ASSIGN_OR_RETURN(void* bias, ctx.value_ptr(node.inputs[2]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const auto& p = node.p<graph::InstanceNormParams>();
  const graph::InstanceNormDims d =
      graph::instance_norm_dims(ctx.graph->value(node.inputs[0]).shape, p.layout);
  const float eps = p.epsilon;
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(*ctx.graph, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_instance_norm<T>(static_cast<const T*>(x), static_cast<const T*>(scale),
                                     static_cast<const T*>(bias), static_cast<T*>(y), d.n, d.c,
                                     d.spatial, d.channels_last, eps, s);
    });
  });
}

}  // namespace toonbox::cuda
