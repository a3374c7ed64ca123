#include "backend/cuda/index_steps.h"

#include "backend/cuda/kernels/index_ops.h"
#include "backend/tensor_plans.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_arg_max_step(const BuildContext& ctx, const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const graph::ArgMaxParams ap = node.p<graph::ArgMaxParams>();
  const backend::SoftmaxPlan p =
      backend::softmax_plan(ctx.graph->value(node.inputs[0]).shape, ap.axis);
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(*ctx.graph, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_arg_max<T>(static_cast<const T*>(x), static_cast<T*>(y), p.outer, p.len,
                               p.inner, ap.select_min, ap.select_last_index, s);
    });
  });
}

Result<std::unique_ptr<Step>> make_scatter_elements_step(const BuildContext& ctx,
                                                         const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(void* data, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* idx, ctx.value_ptr(node.inputs[1]));
  TB_ASSIGN_OR_RETURN(void* upd, ctx.value_ptr(node.inputs[2]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const backend::ScatterPlan plan = backend::scatter_plan(*ctx.graph, node);
  TB_ASSIGN_OR_RETURN(DeviceBuffer tb, upload_ints(ctx, plan.base, "scatter offsets"));
  const int64_t* base = tb.as<int64_t>();
  std::vector<DeviceBuffer> tables;
  tables.push_back(std::move(tb));
  const size_t bytes = static_cast<size_t>(shape_numel(ctx.graph->value(node.outputs[0]).shape)) *
                       storage_size(ctx.precision);
  const int64_t n = static_cast<int64_t>(plan.base.size());
  const int64_t axis_stride = plan.axis_stride, axis_dim = plan.axis_dim;
  const bool half = is_half(ctx.precision);
  return kernel_step(
      node_description(*ctx.graph, node, ctx.precision),
      [=](cudaStream_t s) {
        if (y != data && bytes > 0) {
          const cudaError_t e = cudaMemcpyAsync(y, data, bytes, cudaMemcpyDeviceToDevice, s);
          if (e != cudaSuccess) return e;
        }
        return by_type(half, [&](auto tag) {
          using T = decltype(tag);
          return launch_scatter_elements<T>(static_cast<const T*>(idx), static_cast<const T*>(upd),
                                            static_cast<T*>(y), n, base, axis_stride, axis_dim, s);
        });
      },
      std::move(tables));
}

}  // namespace toonbox::cuda
