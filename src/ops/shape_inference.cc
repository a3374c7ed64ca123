#include "ops/shape_inference.h"

#include <algorithm>

#include "ops/shape_inference_util.h"

namespace toonbox::ops {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::Conv2DParams;
using graph::Graph;
using graph::is_comparison;
using graph::is_logical;
using graph::Layout;
using graph::Node;
using graph::PackParams;
using graph::PadMode;
using graph::ResizeParams;
using graph::StridedSliceParams;
using graph::Value;

namespace shape_detail {

Status infer_conv2d(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 3));
  auto& p = node.p<Conv2DParams>();
  const Shape& x = g.value(node.inputs[0]).shape;
  const Shape& w = g.value(node.inputs[1]).shape;
  if (x.size() != 4) return node_error(node, "input must be 4-D, got " + shape_to_string(x));
  if (w.size() != 4) return node_error(node, "weights must be 4-D OIHW, got " + shape_to_string(w));
  if (p.groups < 1 || p.stride_h < 1 || p.stride_w < 1 || p.dilation_h < 1 || p.dilation_w < 1)
    return node_error(node, "groups, strides and dilations must be >= 1");
  const bool nhwc = p.layout == Layout::kNHWC;
  const int64_t n = x[0], c = nhwc ? x[3] : x[1], h = nhwc ? x[1] : x[2], wd = nhwc ? x[2] : x[3];
  if (c != w[1] * p.groups) {
    return node_error(node, "input has " + std::to_string(c) + " channels, weights " +
                                shape_to_string(w) + " with " + std::to_string(p.groups) +
                                " groups expect " + std::to_string(w[1] * p.groups));
  }
  if (w[0] % p.groups != 0)
    return node_error(node, "output channels " + std::to_string(w[0]) + " not divisible by groups");
  if (node.inputs.size() == 3) {
    const Shape& b = g.value(node.inputs[2]).shape;
    if (shape_numel(b) != w[0])
      return node_error(node, "bias " + shape_to_string(b) + " does not match " +
                                  std::to_string(w[0]) + " output channels");
  }
  TB_ASSIGN_OR_RETURN(ConvDimResult oh, conv_output_dim(h, w[2], p.stride_h, p.dilation_h,
                                                        p.pad_mode, p.pad_top, p.pad_bottom));
  TB_ASSIGN_OR_RETURN(ConvDimResult ow, conv_output_dim(wd, w[3], p.stride_w, p.dilation_w,
                                                        p.pad_mode, p.pad_left, p.pad_right));
  p.pad_mode = PadMode::kExplicit;  // resolved for this input size
  p.pad_top = oh.pad_before;
  p.pad_bottom = oh.pad_after;
  p.pad_left = ow.pad_before;
  p.pad_right = ow.pad_after;
  Shape out = nhwc ? Shape{n, oh.out, ow.out, w[0]} : Shape{n, w[0], oh.out, ow.out};
  return set_output(g, node, DType::kFloat32, out);
}

Status infer_resize(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  const auto& p = node.p<ResizeParams>();
  const Shape& x = g.value(node.inputs[0]).shape;
  if (x.size() != 4) return node_error(node, "input must be 4-D, got " + shape_to_string(x));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> size, constant_ints(g, node, 1));
  if (size.size() != 2) return node_error(node, "size must have 2 elements (height, width)");
  if (size[0] <= 0 || size[1] <= 0)
    return node_error(node, "output size must be positive, got " + shape_to_string(size));
  Shape out = x;
  if (p.layout == Layout::kNHWC) {
    out[1] = size[0];
    out[2] = size[1];
  } else {
    out[2] = size[0];
    out[3] = size[1];
  }
  return set_output(g, node, g.value(node.inputs[0]).dtype, out);
}

Status infer_strided_slice(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 4, 4));
  const auto& p = node.p<StridedSliceParams>();
  if (p.ellipsis_mask != 0 || p.new_axis_mask != 0)
    return unimplemented("node '" + node.name + "' (StridedSlice): ellipsis and new-axis masks");
  const Shape& x = g.value(node.inputs[0]).shape;
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> begin, constant_ints(g, node, 1));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> end, constant_ints(g, node, 2));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> strides, constant_ints(g, node, 3));
  if (begin.size() != end.size() || begin.size() != strides.size() || begin.size() > x.size())
    return node_error(node, "begin/end/strides must have equal length <= rank");
  Shape out;
  for (size_t d = 0; d < x.size(); ++d) {
    if (d >= begin.size()) {
      out.push_back(x[d]);
      continue;
    }
    if (strides[d] == 0) return node_error(node, "stride 0");
    const int64_t dim = x[d], s = strides[d];
    int64_t b = begin[d], e = end[d];
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    if (p.begin_mask & (int64_t{1} << d)) b = s > 0 ? 0 : dim - 1;
    if (p.end_mask & (int64_t{1} << d)) e = s > 0 ? dim : -1;
    if (p.shrink_axis_mask & (int64_t{1} << d)) {
      if (b < 0 || b >= dim) return node_error(node, "index out of range");
      continue;  // dimension removed
    }
    b = s > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, -1, dim - 1);
    e = s > 0 ? std::clamp<int64_t>(e, 0, dim) : std::clamp<int64_t>(e, -1, dim - 1);
    const int64_t len = s > 0 ? (e - b + s - 1) / s : (b - e + (-s) - 1) / (-s);
    out.push_back(std::max<int64_t>(len, 0));
  }
  return set_output(g, node, g.value(node.inputs[0]).dtype, out);
}

Status infer_same_shape(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  const Value& x = g.value(node.inputs[0]);
  return set_output(g, node, x.dtype, x.shape);
}

Status infer_binary(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  const Value& a = g.value(node.inputs[0]);
  const Value& b = g.value(node.inputs[1]);
  if (a.dtype != b.dtype) {
    return node_error(node, std::string("input types differ: ") + dtype_name(a.dtype) + " and " +
                                dtype_name(b.dtype));
  }
  auto shape = broadcast_shapes(a.shape, b.shape);
  if (!shape.is_ok()) return node_error(node, shape.status().message());
  const BinaryOp op = node.p<BinaryParams>().op;
  if (is_logical(op) && a.dtype != DType::kBool)
    return node_error(node, std::string("logical ops take bool inputs, got ") + dtype_name(a.dtype));
  const bool to_bool = is_comparison(op) || is_logical(op);
  return set_output(g, node, to_bool ? DType::kBool : a.dtype, shape.value());
}

Status infer_prelu(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  const Value& x = g.value(node.inputs[0]);
  const Value& slope = g.value(node.inputs[1]);
  if (x.dtype != slope.dtype)
    return node_error(node, std::string("input and slope types differ: ") + dtype_name(x.dtype) +
                                " and " + dtype_name(slope.dtype));
  auto shape = broadcast_shapes(x.shape, slope.shape);
  if (!shape.is_ok() || *shape != x.shape)
    return node_error(node, "slope " + shape_to_string(slope.shape) +
                                " does not broadcast to the input " + shape_to_string(x.shape));
  return set_output(g, node, x.dtype, x.shape);
}

Status infer_shape(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  return set_output(g, node, DType::kInt32,
                    {static_cast<int64_t>(g.value(node.inputs[0]).shape.size())});
}

Status infer_pack(Graph& g, Node& node) {
  if (node.inputs.empty()) return node_error(node, "needs at least one input");
  const Value& first = g.value(node.inputs[0]);
  for (int in : node.inputs) {
    if (g.value(in).shape != first.shape || g.value(in).dtype != first.dtype)
      return node_error(node, "inputs must share shape and type");
  }
  const int rank = static_cast<int>(first.shape.size());
  int axis = node.p<PackParams>().axis;
  if (axis < 0) axis += rank + 1;
  if (axis < 0 || axis > rank) return node_error(node, "axis out of range");
  Shape out = first.shape;
  out.insert(out.begin() + axis, static_cast<int64_t>(node.inputs.size()));
  return set_output(g, node, first.dtype, out);
}

Status infer_fill(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 2, 2));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> dims, constant_ints(g, node, 0));
  if (shape_numel(g.value(node.inputs[1]).shape) != 1)
    return node_error(node, "fill value must be a scalar");
  return set_output(g, node, g.value(node.inputs[1]).dtype, Shape(dims.begin(), dims.end()));
}

}  // namespace shape_detail

Result<ConvDimResult> conv_output_dim(int64_t in, int64_t kernel, int stride, int dilation,
                                      PadMode mode, int pad_before, int pad_after) {
  ConvDimResult r;
  const int64_t effective = (kernel - 1) * dilation + 1;
  switch (mode) {
    case PadMode::kValid:
      r.out = in >= effective ? (in - effective) / stride + 1 : 0;
      break;
    case PadMode::kSameUpper:
    case PadMode::kSameLower: {
      r.out = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>((r.out - 1) * stride + effective - in, 0);
      const int64_t small = total / 2, large = total - small;
      r.pad_before = static_cast<int>(mode == PadMode::kSameUpper ? small : large);
      r.pad_after = static_cast<int>(mode == PadMode::kSameUpper ? large : small);
      break;
    }
    case PadMode::kExplicit: {
      if (pad_before < 0 || pad_after < 0) return invalid_argument("negative padding");
      r.pad_before = pad_before;
      r.pad_after = pad_after;
      const int64_t padded = in + pad_before + pad_after;
      r.out = padded >= effective ? (padded - effective) / stride + 1 : 0;
      break;
    }
  }
  if (r.out <= 0) {
    return invalid_argument("input size " + std::to_string(in) + " is smaller than the kernel (" +
                            std::to_string(effective) + ")");
  }
  return r;
}

Result<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return invalid_argument("shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                              " cannot be broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace toonbox::ops
