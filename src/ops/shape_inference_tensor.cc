// Shape inference of the tensor ops added for ONNX (Transpose, Reshape, Slice, Pad, ...).
#include <algorithm>
#include <array>
#include <cmath>

#include "graph/tensor_geometry.h"
#include "ops/shape_inference_util.h"

namespace toonbox::ops::shape_detail {

using graph::CastParams;
using graph::ConcatParams;
using graph::ConvTransposeParams;
using graph::DepthToSpaceParams;
using graph::GatherParams;
using graph::Graph;
using graph::instance_norm_dims;
using graph::InstanceNormParams;
using graph::Layout;
using graph::matmul_shape;
using graph::Node;
using graph::normalize_axes;
using graph::pad_source_indices;
using graph::PadMode;
using graph::PadParams;
using graph::pool_output_dim;
using graph::PoolDim;
using graph::PoolParams;
using graph::ReduceOp;
using graph::ReduceParams;
using graph::reshape_target;
using graph::ReshapeMode;
using graph::ReshapeParams;
using graph::resolve_perm;
using graph::SliceGeometry;
using graph::SoftmaxParams;
using graph::SpaceToDepthParams;
using graph::TransposeParams;
using graph::Value;

namespace {

// Wraps a geometry error with the node's name.
template <typename T>
Result<T> at_node(const Node& node, Result<T> r) {
  if (!r.is_ok()) return node_error(node, r.status().message());
  return r;
}

}  // namespace

Status infer_conv_transpose(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 3));
  auto& p = node.p<ConvTransposeParams>();
  const Shape& x = g.value(node.inputs[0]).shape;
  const Shape& w = g.value(node.inputs[1]).shape;
  if (x.size() != 4 || w.size() != 4)
    return node_error(node, "needs a 4-D NCHW input and 4-D weights, got " + shape_to_string(x) +
                                " and " + shape_to_string(w));
  if (p.groups < 1 || p.stride_h < 1 || p.stride_w < 1 || p.dilation_h < 1 || p.dilation_w < 1)
    return node_error(node, "groups, strides and dilations must be >= 1");
  if (x[1] != w[0] || w[0] % p.groups != 0)
    return node_error(node, "input channels " + std::to_string(x[1]) + " do not match weights " +
                                shape_to_string(w) + " with " + std::to_string(p.groups) +
                                " groups");
  const int64_t out_c = w[1] * p.groups;
  if (node.inputs.size() == 3 && shape_numel(g.value(node.inputs[2]).shape) != out_c)
    return node_error(node, "bias does not match " + std::to_string(out_c) + " output channels");
  if (p.output_pad_h < 0 || p.output_pad_w < 0) return node_error(node, "negative output_padding");
  auto dim = [&](int64_t in, int64_t k, int s, int d, int op, int* pb, int* pe) -> Result<int64_t> {
    const int64_t eff = (k - 1) * d + 1;
    const int64_t full = s * (in - 1) + op + eff;
    if (p.pad_mode == PadMode::kValid) {
      *pb = *pe = 0;
    } else if (p.pad_mode != PadMode::kExplicit) {
      const int64_t total = std::max<int64_t>(full - in * s, 0);
      // ONNX: odd padding goes at the end for SAME_UPPER, the start for SAME_LOWER.
      *pb = static_cast<int>(p.pad_mode == PadMode::kSameUpper ? total / 2 : total - total / 2);
      *pe = static_cast<int>(total - *pb);
    }
    if (*pb < 0 || *pe < 0) return invalid_argument("negative padding");
    const int64_t out = full - *pb - *pe;
    if (out <= 0) return invalid_argument("output size " + std::to_string(out) + " <= 0");
    return out;
  };
  auto oh = dim(x[2], w[2], p.stride_h, p.dilation_h, p.output_pad_h, &p.pad_top, &p.pad_bottom);
  if (!oh.is_ok()) return node_error(node, oh.status().message());
  auto ow = dim(x[3], w[3], p.stride_w, p.dilation_w, p.output_pad_w, &p.pad_left, &p.pad_right);
  if (!ow.is_ok()) return node_error(node, ow.status().message());
  p.pad_mode = PadMode::kExplicit;
  return set_output(g, node, DType::kFloat32, {x[0], out_c, oh.value(), ow.value()});
}

Status infer_pool(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  auto& p = node.p<PoolParams>();
  const Shape& x = g.value(node.inputs[0]).shape;
  if (x.size() != 4) return node_error(node, "input must be 4-D NCHW, got " + shape_to_string(x));
  TB_ASSIGN_OR_RETURN(
      PoolDim h, at_node(node, pool_output_dim(x[2], p.kernel_h, p.stride_h, p.dilation_h,
                                               p.pad_mode, p.pad_top, p.pad_bottom, p.ceil_mode)));
  TB_ASSIGN_OR_RETURN(
      PoolDim w, at_node(node, pool_output_dim(x[3], p.kernel_w, p.stride_w, p.dilation_w,
                                               p.pad_mode, p.pad_left, p.pad_right, p.ceil_mode)));
  p.pad_mode = PadMode::kExplicit;
  p.pad_top = h.pad_before;
  p.pad_bottom = h.pad_after;
  p.pad_left = w.pad_before;
  p.pad_right = w.pad_after;
  return set_output(g, node, g.value(node.inputs[0]).dtype, {x[0], x[1], h.out, w.out});
}

Status infer_reduce(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  auto& p = node.p<ReduceParams>();
  const Shape& x = g.value(node.inputs[0]).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  std::vector<int64_t> axes;
  if (p.axes.empty()) {
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  } else {
    TB_ASSIGN_OR_RETURN(axes, at_node(node, normalize_axes(p.axes, rank)));
  }
  std::sort(axes.begin(), axes.end());
  p.axes = axes;
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    const bool reduced = std::binary_search(axes.begin(), axes.end(), d);
    if (reduced && x[d] == 0 && p.op != ReduceOp::kSum)
      return node_error(node, "reducing an empty dim");
    if (!reduced)
      out.push_back(x[d]);
    else if (p.keepdims)
      out.push_back(1);
  }
  return set_output(g, node, g.value(node.inputs[0]).dtype, out);
}

Status infer_concat(Graph& g, Node& node) {
  if (node.inputs.empty()) return node_error(node, "needs at least one input");
  const Value& first = g.value(node.inputs[0]);
  const int64_t rank = static_cast<int64_t>(first.shape.size());
  auto& p = node.p<ConcatParams>();
  const int64_t axis = p.axis < 0 ? p.axis + rank : p.axis;
  if (axis < 0 || axis >= rank) return node_error(node, "axis out of range");
  p.axis = static_cast<int>(axis);
  Shape out = first.shape;
  out[axis] = 0;
  for (int in : node.inputs) {
    const Value& v = g.value(in);
    if (v.dtype != first.dtype) return node_error(node, "inputs differ in type");
    if (static_cast<int64_t>(v.shape.size()) != rank)
      return node_error(node, "inputs differ in rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && v.shape[d] != first.shape[d])
        return node_error(node, "input shapes " + shape_to_string(first.shape) + " and " +
                                    shape_to_string(v.shape) + " differ off the axis");
    out[axis] += v.shape[axis];
  }
  return set_output(g, node, first.dtype, out);
}

Status infer_slice(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 3, 5));
  TB_ASSIGN_OR_RETURN(SliceGeometry geo, constant_slice(g, node));
  return set_output(g, node, g.value(node.inputs[0]).dtype, geo.out);
}

Status infer_gather(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  const Value& x = g.value(node.inputs[0]);
  const Value& idx = g.value(node.inputs[1]);
  if (idx.dtype != DType::kInt32 && idx.dtype != DType::kInt64)
    return node_error(node, "indices must be int32 or int64");
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  auto& p = node.p<GatherParams>();
  const int64_t axis = p.axis < 0 ? p.axis + rank : p.axis;
  if (axis < 0 || axis >= rank) return node_error(node, "axis out of range");
  p.axis = static_cast<int>(axis);
  if (idx.constant) {
    TB_ASSIGN_OR_RETURN(std::vector<int64_t> ids, constant_ints(g, node, 1));
    for (int64_t i : ids)
      if (i < -x.shape[axis] || i >= x.shape[axis])
        return node_error(node, "index " + std::to_string(i) + " out of range for dim " +
                                    std::to_string(x.shape[axis]));
  }
  Shape out(x.shape.begin(), x.shape.begin() + axis);
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), x.shape.begin() + axis + 1, x.shape.end());
  return set_output(g, node, x.dtype, out);
}

Status infer_pad(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> pads, constant_ints(g, node, 1));
  const Value& x = g.value(node.inputs[0]);
  TB_ASSIGN_OR_RETURN(auto maps,
                      at_node(node, pad_source_indices(x.shape, pads, node.p<PadParams>().mode)));
  Shape out;
  for (const auto& m : maps) out.push_back(static_cast<int64_t>(m.size()));
  return set_output(g, node, x.dtype, out);
}

Status infer_where(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 3, 3));
  const Value& c = g.value(node.inputs[0]);
  const Value& a = g.value(node.inputs[1]);
  const Value& b = g.value(node.inputs[2]);
  if (c.dtype != DType::kBool) return node_error(node, "condition must be bool");
  if (a.dtype != b.dtype) return node_error(node, "branches differ in type");
  auto s1 = broadcast_shapes(c.shape, a.shape);
  if (!s1.is_ok()) return node_error(node, s1.status().message());
  auto s2 = broadcast_shapes(s1.value(), b.shape);
  if (!s2.is_ok()) return node_error(node, s2.status().message());
  return set_output(g, node, a.dtype, s2.value());
}

Status infer_range(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 3, 3));
  for (int i = 0; i < 3; ++i) {
    const Value& v = g.value(node.inputs[i]);
    if (!v.constant || v.constant->numel() != 1)
      return node_error(node,
                        "start, limit and delta must be constant scalars (known once the input "
                        "shapes are): the output length depends on their values, so a Range "
                        "over run-time data has no static shape");
  }
  auto scalar = [&](int i) {
    const Tensor& t = *g.value(node.inputs[i]).constant;
    switch (t.dtype()) {
      case DType::kFloat32:
        return static_cast<double>(t.data<float>()[0]);
      case DType::kInt32:
        return static_cast<double>(t.data<int32_t>()[0]);
      case DType::kInt64:
        return static_cast<double>(t.data<int64_t>()[0]);
      default:
        return 0.0;
    }
  };
  const double start = scalar(0), limit = scalar(1), delta = scalar(2);
  if (delta == 0) return node_error(node, "delta 0");
  const double n = std::ceil((limit - start) / delta);
  if (!(n < static_cast<double>(kMaxTensorElements))) return node_error(node, "range too long");
  return set_output(g, node, g.value(node.inputs[0]).dtype,
                    {static_cast<int64_t>(std::max(n, 0.0))});
}

Status infer_matmul(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  TB_ASSIGN_OR_RETURN(Shape out, at_node(node, matmul_shape(g.value(node.inputs[0]).shape,
                                                            g.value(node.inputs[1]).shape)));
  return set_output(g, node, g.value(node.inputs[0]).dtype, out);
}

Status infer_softmax(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  const Value& x = g.value(node.inputs[0]);
  const int rank = static_cast<int>(x.shape.size());
  auto& p = node.p<SoftmaxParams>();
  const int axis = p.axis < 0 ? p.axis + rank : p.axis;
  if (axis < 0 || axis >= rank) return node_error(node, "axis out of range");
  p.axis = axis;
  return set_output(g, node, x.dtype, x.shape);
}

Status infer_transpose(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  const Value& x = g.value(node.inputs[0]);
  auto& p = node.p<TransposeParams>();
  TB_ASSIGN_OR_RETURN(p.perm, at_node(node, resolve_perm(p.perm, x.shape.size())));
  Shape out;
  for (int64_t d : p.perm) out.push_back(x.shape[d]);
  return set_output(g, node, x.dtype, out);
}

Status infer_reshape(Graph& g, Node& node) {
  const auto& p = node.p<ReshapeParams>();
  const bool tensor = p.mode == ReshapeMode::kShapeTensor;
  TB_RETURN_IF_ERROR(expect_inputs(node, tensor ? 2 : 1, tensor ? 2 : 1));
  std::vector<int64_t> target;
  if (tensor) {
    TB_ASSIGN_OR_RETURN(target, constant_ints(g, node, 1));
  }
  const Value& x = g.value(node.inputs[0]);
  TB_ASSIGN_OR_RETURN(Shape out, at_node(node, reshape_target(x.shape, p, target)));
  return set_output(g, node, x.dtype, out);
}

Status infer_expand(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> shape, constant_ints(g, node, 1));
  const Value& x = g.value(node.inputs[0]);
  auto out = broadcast_shapes(x.shape, Shape(shape.begin(), shape.end()));
  if (!out.is_ok()) return node_error(node, out.status().message());
  return set_output(g, node, x.dtype, out.value());
}

Status infer_tile(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> reps, constant_ints(g, node, 1));
  const Value& x = g.value(node.inputs[0]);
  if (reps.size() != x.shape.size()) return node_error(node, "repeats must have one entry per dim");
  Shape out = x.shape;
  for (size_t d = 0; d < out.size(); ++d) {
    if (reps[d] < 0 || reps[d] > kMaxTensorElements) return node_error(node, "bad repeat count");
    out[d] *= reps[d];
  }
  return set_output(g, node, x.dtype, out);
}

namespace {

// x as [N, C, H, W] whatever its layout, or an error naming the node.
Result<std::array<int64_t, 4>> image_dims(const Node& node, const Shape& x, Layout layout) {
  if (x.size() != 4) return node_error(node, "input must be 4-D, got " + shape_to_string(x));
  if (layout == Layout::kNHWC) return std::array<int64_t, 4>{x[0], x[3], x[1], x[2]};
  return std::array<int64_t, 4>{x[0], x[1], x[2], x[3]};
}

Shape in_layout(Layout layout, int64_t n, int64_t c, int64_t h, int64_t w) {
  return layout == Layout::kNHWC ? Shape{n, h, w, c} : Shape{n, c, h, w};
}

}  // namespace

Status infer_depth_to_space(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  const auto& p = node.p<DepthToSpaceParams>();
  const Value& x = g.value(node.inputs[0]);
  TB_ASSIGN_OR_RETURN(auto d, image_dims(node, x.shape, p.layout));
  const int64_t b = p.block;
  if (b < 1 || b > 4096) return node_error(node, "block size " + std::to_string(b) + " out of range");
  if (d[1] % (b * b) != 0)
    return node_error(node, std::to_string(d[1]) + " channels are not a multiple of the block size " +
                                std::to_string(b) + " squared");
  return set_output(g, node, x.dtype, in_layout(p.layout, d[0], d[1] / (b * b), d[2] * b, d[3] * b));
}

Status infer_space_to_depth(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  const auto& p = node.p<SpaceToDepthParams>();
  const Value& x = g.value(node.inputs[0]);
  TB_ASSIGN_OR_RETURN(auto d, image_dims(node, x.shape, p.layout));
  const int64_t b = p.block;
  if (b < 1 || b > 4096) return node_error(node, "block size " + std::to_string(b) + " out of range");
  if (d[2] % b != 0 || d[3] % b != 0)
    return node_error(node, "height and width " + std::to_string(d[2]) + "x" + std::to_string(d[3]) +
                                " are not multiples of the block size " + std::to_string(b));
  return set_output(g, node, x.dtype, in_layout(p.layout, d[0], d[1] * b * b, d[2] / b, d[3] / b));
}

Status infer_instance_norm(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 3, 3));
  const Value& x = g.value(node.inputs[0]);
  if (x.shape.size() < 3) return node_error(node, "input must have rank >= 3, got " + shape_to_string(x.shape));
  const int64_t c = instance_norm_dims(x.shape, node.p<InstanceNormParams>().layout).c;
  for (int i : {1, 2}) {
    const Value& v = g.value(node.inputs[i]);
    if (shape_numel(v.shape) != c || v.dtype != x.dtype)
      return node_error(node, std::string(i == 1 ? "scale " : "bias ") + shape_to_string(v.shape) + " " +
                                  dtype_name(v.dtype) + " does not match " + std::to_string(c) +
                                  " channels of " + dtype_name(x.dtype));
  }
  return set_output(g, node, x.dtype, x.shape);
}

Status infer_cast(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  return set_output(g, node, node.p<CastParams>().to, g.value(node.inputs[0]).shape);
}

}  // namespace toonbox::ops::shape_detail
