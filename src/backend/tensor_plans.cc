#include "backend/tensor_plans.h"

#include <algorithm>

#include "graph/tensor_geometry.h"

namespace toonbox::backend {

using graph::broadcast_strides;
using graph::depth_to_space_source;
using graph::DepthToSpaceParams;
using graph::GatherParams;
using graph::Graph;
using graph::ImageCoord;
using graph::Layout;
using graph::Node;
using graph::OpKind;
using graph::pad_source_indices;
using graph::PadParams;
using graph::ReduceParams;
using graph::resolve_slice;
using graph::row_major_strides;
using graph::ScatterElementsParams;
using graph::SliceGeometry;
using graph::space_to_depth_source;
using graph::SpaceToDepthParams;
using graph::TransposeParams;

namespace {

std::vector<int64_t> const_ints(const Graph& g, int value) {
  const Tensor& t = *g.value(value).constant;
  std::vector<int64_t> v(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i)
    v[i] = t.dtype() == DType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
  return v;
}

}  // namespace

static std::vector<int64_t> linear_offsets(int64_t n, int64_t start, int64_t step, int64_t stride) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = (start + i * step) * stride;
  return v;
}

GatherTable transpose_table(const Graph& g, const Node& node) {
  const Shape& xs = g.value(node.inputs[0]).shape;
  const std::vector<int64_t> st = row_major_strides(xs);
  GatherTable t{g.value(node.outputs[0]).shape, {}, 0.f};
  const auto& perm = node.p<TransposeParams>().perm;
  for (size_t d = 0; d < t.out.size(); ++d)
    t.offs.push_back(linear_offsets(t.out[d], 0, 1, st[perm[d]]));
  return t;
}

Result<GatherTable> slice_table(const Graph& g, const Node& node) {
  const Shape& xs = g.value(node.inputs[0]).shape;
  const std::vector<int64_t> st = row_major_strides(xs);
  GatherTable t{g.value(node.outputs[0]).shape, {}, 0.f};
  std::vector<int64_t> axes, steps;
  if (node.inputs.size() > 3) axes = const_ints(g, node.inputs[3]);
  if (node.inputs.size() > 4) steps = const_ints(g, node.inputs[4]);
  TB_ASSIGN_OR_RETURN(SliceGeometry geo, resolve_slice(xs, const_ints(g, node.inputs[1]),
                                                       const_ints(g, node.inputs[2]), axes, steps));
  for (size_t d = 0; d < t.out.size(); ++d)
    t.offs.push_back(linear_offsets(t.out[d], geo.start[d], geo.step[d], st[d]));
  return t;
}

Result<GatherTable> pad_table(const Graph& g, const Node& node) {
  const Shape& xs = g.value(node.inputs[0]).shape;
  const std::vector<int64_t> st = row_major_strides(xs);
  const auto& p = node.p<PadParams>();
  GatherTable t{g.value(node.outputs[0]).shape, {}, p.value};
  TB_ASSIGN_OR_RETURN(auto maps, pad_source_indices(xs, const_ints(g, node.inputs[1]), p.mode));
  for (size_t d = 0; d < maps.size(); ++d) {
    for (int64_t& m : maps[d]) m = m < 0 ? -1 : m * st[d];
    t.offs.push_back(std::move(maps[d]));
  }
  return t;
}

GatherTable gather_index_table(const Graph& g, const Node& node) {
  // Indices flattened: the output is [pre..., ids, post...] in the same memory order.
  const Shape& xs = g.value(node.inputs[0]).shape;
  const std::vector<int64_t> st = row_major_strides(xs);
  const int axis = node.p<GatherParams>().axis;
  const std::vector<int64_t> ids = const_ints(g, node.inputs[1]);
  GatherTable t;
  t.out.assign(xs.begin(), xs.begin() + axis);
  t.out.push_back(static_cast<int64_t>(ids.size()));
  t.out.insert(t.out.end(), xs.begin() + axis + 1, xs.end());
  for (size_t d = 0; d < xs.size(); ++d) {
    if (static_cast<int>(d) != axis) {
      t.offs.push_back(linear_offsets(xs[d], 0, 1, st[d]));
      continue;
    }
    std::vector<int64_t> v;
    for (int64_t id : ids) v.push_back((id < 0 ? id + xs[d] : id) * st[d]);
    t.offs.push_back(std::move(v));
  }
  return t;
}

GatherTable broadcast_table(const Graph& g, const Node& node) {
  const Shape& xs = g.value(node.inputs[0]).shape;
  const std::vector<int64_t> st = row_major_strides(xs);
  GatherTable t{g.value(node.outputs[0]).shape, {}, 0.f};
  const Shape& ys = t.out;
  const size_t off = ys.size() - xs.size();
  for (size_t d = 0; d < ys.size(); ++d) {
    std::vector<int64_t> v(ys[d], 0);
    if (d >= off) {
      const int64_t dim = xs[d - off], s = st[d - off];
      for (int64_t i = 0; i < ys[d]; ++i) v[i] = dim == 1 ? 0 : (i % dim) * s;
    }
    t.offs.push_back(std::move(v));
  }
  return t;
}

GatherTable depth_space_table(const Graph& g, const Node& node) {
  // The source offset is a sum of one term per output dim: the block offset inside the
  // output pixel picks an input channel (DepthToSpace) or pixel (SpaceToDepth) by a
  // fixed stride, so sample each output coordinate with the others at 0 and take the
  // difference from the origin's offset.
  const Shape& xs = g.value(node.inputs[0]).shape;
  const Layout layout = node.kind == OpKind::kDepthToSpace ? node.p<DepthToSpaceParams>().layout
                                                           : node.p<SpaceToDepthParams>().layout;
  const bool nhwc = layout == Layout::kNHWC;
  const int64_t channels = nhwc ? xs[3] : xs[1];
  const std::vector<int64_t> st = row_major_strides(xs);
  auto offset = [&](const ImageCoord& p) {
    return nhwc ? p.n * st[0] + p.h * st[1] + p.w * st[2] + p.c * st[3]
                : p.n * st[0] + p.c * st[1] + p.h * st[2] + p.w * st[3];
  };
  auto source = [&](const ImageCoord& o) {
    return node.kind == OpKind::kDepthToSpace
               ? depth_to_space_source(node.p<DepthToSpaceParams>(), channels, o)
               : space_to_depth_source(node.p<SpaceToDepthParams>(), channels, o);
  };
  GatherTable t{g.value(node.outputs[0]).shape, {}, 0.f};
  // Output dim d holds logical coordinate n, c, h or w.
  const int logical[4] = {0, nhwc ? 2 : 1, nhwc ? 3 : 2, nhwc ? 1 : 3};
  for (int d = 0; d < 4; ++d) {
    std::vector<int64_t> v(t.out[d]);
    for (int64_t i = 0; i < t.out[d]; ++i) {
      ImageCoord o{0, 0, 0, 0};
      (logical[d] == 0 ? o.n : logical[d] == 1 ? o.c : logical[d] == 2 ? o.h : o.w) = i;
      v[i] = offset(source(o)) - (d == 0 ? 0 : offset(source(ImageCoord{0, 0, 0, 0})));
    }
    t.offs.push_back(std::move(v));
  }
  return t;
}

SoftmaxPlan softmax_plan(const Shape& x, int axis) {
  SoftmaxPlan p;
  for (int d = 0; d < axis; ++d) p.outer *= x[d];
  for (size_t d = axis + 1; d < x.size(); ++d) p.inner *= x[d];
  p.len = x[axis];
  return p;
}

ScatterPlan scatter_plan(const Graph& g, const Node& node) {
  const Shape& ds = g.value(node.inputs[0]).shape;
  const Shape& is = g.value(node.inputs[1]).shape;
  const int axis = node.p<ScatterElementsParams>().axis;
  const std::vector<int64_t> st = row_major_strides(ds);
  ScatterPlan plan;
  plan.axis_stride = st[axis];
  plan.axis_dim = ds[axis];
  plan.base.resize(shape_numel(is));
  for (int64_t i = 0; i < static_cast<int64_t>(plan.base.size()); ++i) {
    int64_t rest = i, off = 0;
    for (int d = static_cast<int>(is.size()) - 1; d >= 0; --d) {
      if (d != axis) off += (rest % is[d]) * st[d];
      rest /= is[d];
    }
    plan.base[i] = off;
  }
  return plan;
}

ReducePlan reduce_plan(const Graph& g, const Node& node) {
  const auto& p = node.p<ReduceParams>();
  const Shape& xs = g.value(node.inputs[0]).shape;
  const std::vector<int64_t> st = row_major_strides(xs);
  ReducePlan plan{p.op, {0}, {0}};
  for (size_t d = 0; d < xs.size(); ++d) {
    const bool reduced = std::binary_search(p.axes.begin(), p.axes.end(), static_cast<int64_t>(d));
    std::vector<int64_t>& v = reduced ? plan.members : plan.base;
    std::vector<int64_t> next;
    next.reserve(v.size() * xs[d]);
    for (int64_t b : v)
      for (int64_t i = 0; i < xs[d]; ++i) next.push_back(b + i * st[d]);
    v = std::move(next);
  }
  return plan;
}

MatMulPlan matmul_plan(const Shape& a_in, const Shape& b_in, const Shape& y) {
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatMulPlan p{a[a.size() - 2], a.back(), b.back(), {0}, {0}};
  const Shape batch(y.begin(), y.end() - (a_in.size() > 1) - (b_in.size() > 1));
  const Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  // Broadcast batch offsets, built dim by dim like the reduce plan.
  const size_t rank = batch.size();
  const auto sa = broadcast_strides(ab, rank, p.M * p.K), sb = broadcast_strides(bb, rank, p.K * p.N);
  for (size_t d = 0; d < rank; ++d) {
    std::vector<int64_t> na, nb;
    for (size_t k = 0; k < p.a_off.size(); ++k)
      for (int64_t i = 0; i < batch[d]; ++i) {
        na.push_back(p.a_off[k] + i * sa[d]);
        nb.push_back(p.b_off[k] + i * sb[d]);
      }
    p.a_off = std::move(na);
    p.b_off = std::move(nb);
  }
  return p;
}

}  // namespace toonbox::backend
