#include "backend/cuda/data_movement_steps.h"

#include <cstdint>
#include <cstdlib>

#include "backend/cuda/kernels/tensor_ops.h"

namespace toonbox::cuda {

namespace {

bool aligned_to(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

// TOONBOX_CUDA_GATHER_ROWS=0 keeps every gather on the element kernel (tests compare).
bool gather_rows_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_GATHER_ROWS");
  return v == nullptr || v[0] != '0';
}

// Where the innermost dim's table is one contiguous run (a crop, or a slice that keeps
// whole rows), its first offset; else -1.
int64_t contiguous_run_start(const std::vector<int64_t>& inner) {
  if (inner.empty() || inner[0] < 0) return -1;
  for (size_t j = 1; j < inner.size(); ++j)
    if (inner[j] != inner[0] + static_cast<int64_t>(j)) return -1;
  return inner[0];
}

// The widest access (elements, at most 16 bytes) every row of a contiguous-run gather
// allows: the run's length and start, each outer offset and both pointers aligned to it.
int rows_vector(const backend::GatherTable& t, int64_t run_start, const void* x, const void* y,
                size_t element) {
  const int64_t row_len = t.out.back();
  for (int v = static_cast<int>(16 / element); v > 1; v /= 2) {
    bool ok = row_len % v == 0 && run_start % v == 0 && aligned_to(x, element * v) &&
              aligned_to(y, element * v);
    for (size_t d = 0; ok && d + 1 < t.offs.size(); ++d)
      for (int64_t o : t.offs[d]) ok = ok && (o < 0 || o % v == 0);
    if (ok) return v;
  }
  return 1;
}

// Folds the innermost dim into the one above it while the two together are one
// contiguous run per outer index: the inner offsets start + 0..len-1 and the dim above
// stepping by len. A crop of channels-last data keeps whole pixels, so its channels and
// kept columns are one run: rows of W*C elements for the row-copy kernel, where rows of
// C (64 at Real-CUGAN's widest) left it at a twentieth of the memory rate.
void merge_contiguous_inner_dims(backend::GatherTable& t) {
  while (t.out.size() >= 2) {
    const int64_t start = contiguous_run_start(t.offs.back());
    const int64_t len = t.out.back();
    const std::vector<int64_t>& above = t.offs[t.offs.size() - 2];
    if (start < 0 || above.empty() || above[0] < 0) return;
    for (size_t j = 1; j < above.size(); ++j)
      if (above[j] != above[0] + static_cast<int64_t>(j) * len) return;
    const int64_t merged_len = static_cast<int64_t>(above.size()) * len;
    if (merged_len >= (1LL << 30)) return;
    // A gather's offsets add up over the dims, so the merged run starts at the sum of
    // the two first offsets.
    std::vector<int64_t> merged(static_cast<size_t>(merged_len));
    for (int64_t m = 0; m < merged_len; ++m) merged[m] = above[0] + start + m;
    t.offs.pop_back();
    t.offs.back() = std::move(merged);
    t.out.pop_back();
    t.out.back() = merged_len;
  }
}

}  // namespace

Result<std::unique_ptr<Step>> make_gather_step(const BuildContext& ctx, const graph::Node& node,
                                               backend::GatherTable t) {
  if (gather_rows_enabled()) merge_contiguous_inner_dims(t);
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
  std::string description = node_description(*ctx.graph, node, ctx.precision);
  // Rows that are contiguous runs of the input (crops, row slices) copy a row at a time;
  // runs shorter than a warp gain nothing over the element kernel.
  const int64_t run_start = t.out.empty() ? -1 : contiguous_run_start(t.offs.back());
  const int64_t row_len = t.out.empty() ? 0 : t.out.back();
  if (run_start >= 0 && row_len >= 32 && n / row_len < (1LL << 30) && row_len < (1LL << 30) &&
      gather_rows_enabled()) {
    const int vector = rows_vector(t, run_start, x, y, storage_size(ctx.precision));
    const int64_t rows = n / row_len;
    description += ", row copies x" + std::to_string(vector) + " of " + std::to_string(row_len);
    return kernel_step(description, [=](cudaStream_t s) {
      return by_type(half, [&](auto tag) {
        using T = decltype(tag);
        return launch_gather_rows<T>(static_cast<const T*>(x), static_cast<T*>(y), rows, row_len, vector,
                                     dims, tp, run_start, fill, s);
      });
    }, std::move(tables));
  }
  return kernel_step(description, [=](cudaStream_t s) {
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
