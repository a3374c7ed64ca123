#include "backend/cuda/data_movement_steps.h"

#include "backend/cuda/kernels/tensor_ops.h"

namespace toonbox::cuda {

Result<std::unique_ptr<Step>> make_gather_step(const BuildContext& ctx, const graph::Node& node,
                                               const backend::GatherTable& t) {
  if (t.out.size() > static_cast<size_t>(kMaxGatherRank))
    return unimplemented("rank above " + std::to_string(kMaxGatherRank));
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  GatherDims dims;
  dims.rank = static_cast<int>(t.out.size());
  std::vector<int64_t> flat;
  for (size_t d = 0; d < t.out.size(); ++d) {
    dims.out_dims[d] = t.out[d];
    dims.table_start[d] = static_cast<int64_t>(flat.size());
    flat.insert(flat.end(), t.offs[d].begin(), t.offs[d].end());
  }
  TB_ASSIGN_OR_RETURN(DeviceBuffer tb, upload_ints(ctx, flat, "gather tables"));
  const int64_t* tp = tb.as<int64_t>();
  std::vector<DeviceBuffer> tables;
  tables.push_back(std::move(tb));
  const int64_t n = shape_numel(ctx.graph->value(node.outputs[0]).shape);
  const float fill = t.fill;
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(*ctx.graph, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_gather<T>(static_cast<const T*>(x), static_cast<T*>(y), n, dims, tp, fill, s);
    });
  }, std::move(tables));
}

Result<std::unique_ptr<Step>> make_copy_step(const BuildContext& ctx, const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(void* x, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const size_t bytes = static_cast<size_t>(shape_numel(ctx.graph->value(node.outputs[0]).shape)) *
                       storage_size(ctx.precision);
  return kernel_step(node_description(*ctx.graph, node, ctx.precision), [=](cudaStream_t s) {
    return x == y || bytes == 0 ? cudaSuccess
                                : cudaMemcpyAsync(y, x, bytes, cudaMemcpyDeviceToDevice, s);
  });
}

Result<std::unique_ptr<Step>> make_concat_step(const BuildContext& ctx, const graph::Node& node) {
  const graph::Graph& g = *ctx.graph;
  const Shape& ys = g.value(node.outputs[0]).shape;
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const int axis = node.p<graph::ConcatParams>().axis;
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= ys[d];
  const int64_t total = outer > 0 ? shape_numel(ys) / outer : 0;
  struct Part {
    void* x;
    int64_t chunk, offset;
  };
  std::vector<Part> parts;
  int64_t offset = 0;
  for (int in : node.inputs) {
    TB_ASSIGN_OR_RETURN(void* p, ctx.value_ptr(in));
    const int64_t chunk = outer > 0 ? shape_numel(g.value(in).shape) / outer : 0;
    parts.push_back({p, chunk, offset});
    offset += chunk;
  }
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(g, node, ctx.precision), [=](cudaStream_t s) {
    for (const Part& p : parts) {
      const cudaError_t e = by_type(half, [&](auto tag) {
        using T = decltype(tag);
        return launch_copy_block<T>(static_cast<const T*>(p.x), static_cast<T*>(y), outer, p.chunk,
                                    total, p.offset, s);
      });
      if (e != cudaSuccess) return e;
    }
    return cudaSuccess;
  });
}

Result<std::unique_ptr<Step>> make_where_step(const BuildContext& ctx, const graph::Node& node) {
  const graph::Graph& g = *ctx.graph;
  const Shape& ys = g.value(node.outputs[0]).shape;
  // Per-dim strides of the three inputs in output-index space (0 where broadcast).
  WhereDims d;
  d.rank = static_cast<int>(ys.size());
  for (int k = 0; k < 3; ++k) {
    const Shape& s = g.value(node.inputs[k]).shape;
    int64_t acc = 1;
    for (int i = d.rank - 1, j = static_cast<int>(s.size()) - 1; i >= 0; --i, --j) {
      const int64_t dim = j >= 0 ? s[j] : 1;
      d.strides[k][i] = dim == 1 ? 0 : acc;
      acc *= dim;
    }
  }
  for (int i = 0; i < d.rank; ++i) d.out_dims[i] = ys[i];
  TB_ASSIGN_OR_RETURN(void* c, ctx.value_ptr(node.inputs[0]));
  TB_ASSIGN_OR_RETURN(void* a, ctx.value_ptr(node.inputs[1]));
  TB_ASSIGN_OR_RETURN(void* b, ctx.value_ptr(node.inputs[2]));
  TB_ASSIGN_OR_RETURN(void* y, ctx.value_ptr(node.outputs[0]));
  const int64_t n = shape_numel(ys);
  const bool half = is_half(ctx.precision);
  return kernel_step(node_description(g, node, ctx.precision), [=](cudaStream_t s) {
    return by_type(half, [&](auto tag) {
      using T = decltype(tag);
      return launch_where<T>(static_cast<const T*>(c), static_cast<const T*>(a),
                             static_cast<const T*>(b), static_cast<T*>(y), n, d, s);
    });
  });
}

}  // namespace toonbox::cuda
