// ArgMax and ScatterElements: the shape functions, reference kernels and batch rules of
// the two index ops CodeFormer-class exports need (TopK with k = 1 over the codebook
// logits, and the one-hot ScatterElements of get_codebook_feat).
#include <cmath>

#include "ops/op_rules.h"
#include "ops/reference_util.h"
#include "ops/shape_inference_util.h"

namespace toonbox::ops {

using graph::ArgMaxParams;
using graph::Graph;
using graph::Node;
using graph::row_major_strides;
using graph::ScatterElementsParams;
using graph::Value;

namespace shape_detail {

Status infer_arg_max(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 1, 1));
  const Value& x = g.value(node.inputs[0]);
  const int rank = static_cast<int>(x.shape.size());
  auto& p = node.p<ArgMaxParams>();
  const int axis = p.axis < 0 ? p.axis + rank : p.axis;
  if (axis < 0 || axis >= rank) return node_error(node, "axis out of range");
  if (x.shape[axis] == 0) return node_error(node, "reduces an empty axis");
  p.axis = axis;
  Shape out = x.shape;
  if (p.keepdims)
    out[axis] = 1;
  else
    out.erase(out.begin() + axis);
  return set_output(g, node, DType::kInt64, out);
}

Status infer_scatter_elements(Graph& g, Node& node) {
  TB_RETURN_IF_ERROR(expect_inputs(node, 3, 3));
  const Value& data = g.value(node.inputs[0]);
  const Value& idx = g.value(node.inputs[1]);
  const Value& upd = g.value(node.inputs[2]);
  if (idx.dtype != DType::kInt32 && idx.dtype != DType::kInt64)
    return node_error(node, "indices must be int32 or int64");
  const int rank = static_cast<int>(data.shape.size());
  if (static_cast<int>(idx.shape.size()) != rank)
    return node_error(node, "indices " + shape_to_string(idx.shape) + " and data " +
                                shape_to_string(data.shape) + " differ in rank");
  if (upd.shape != idx.shape)
    return node_error(node, "updates " + shape_to_string(upd.shape) + ", expected the indices' " +
                                shape_to_string(idx.shape));
  auto& p = node.p<ScatterElementsParams>();
  const int axis = p.axis < 0 ? p.axis + rank : p.axis;
  if (axis < 0 || axis >= rank) return node_error(node, "axis out of range");
  p.axis = axis;
  for (int d = 0; d < rank; ++d)
    if (d != axis && idx.shape[d] > data.shape[d])
      return node_error(node, "indices " + shape_to_string(idx.shape) + " exceed data " +
                                  shape_to_string(data.shape) + " along dim " + std::to_string(d));
  return set_output(g, node, data.dtype, data.shape);
}

}  // namespace shape_detail

namespace reference_detail {

Status eval_arg_max(const Node& node, const Inputs& in, Outputs& out) {
  const Tensor& x = *in[0];
  const auto& p = node.p<ArgMaxParams>();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < p.axis; ++d) outer *= x.dim(d);
  for (int d = p.axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t len = x.dim(p.axis);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * len * inner + i;
      int64_t best = 0;
      double best_v = load(x, base);
      for (int64_t k = 1; k < len; ++k) {
        const double v = load(x, base + k * inner);
        const bool better = p.select_min ? (v < best_v || (p.select_last_index && v == best_v))
                                         : (v > best_v || (p.select_last_index && v == best_v));
        if (better) best = k, best_v = v;
      }
      store(out[0], o * inner + i, static_cast<double>(best));
    }
  return Status::ok();
}

Status eval_scatter_elements(const Node& node, const Inputs& in, Outputs& out) {
  const Tensor& data = *in[0];
  const Tensor& idx = *in[1];
  const Tensor& upd = *in[2];
  Tensor& y = out[0];
  for (int64_t i = 0; i < data.numel(); ++i) store(y, i, load(data, i));
  const int axis = node.p<ScatterElementsParams>().axis;
  const int rank = static_cast<int>(data.rank());
  const std::vector<int64_t> strides = row_major_strides(data.shape());
  const int64_t axis_dim = data.dim(axis);
  std::vector<int64_t> pos(rank, 0);
  for (int64_t i = 0; i < idx.numel(); ++i) {
    int64_t rest = i, target = 0;
    for (int d = rank - 1; d >= 0; --d) {
      pos[d] = rest % idx.dim(d);
      rest /= idx.dim(d);
    }
    const double raw = load(idx, i);
    int64_t k = static_cast<int64_t>(raw);
    if (k < 0) k += axis_dim;
    if (k < 0 || k >= axis_dim)
      return invalid_argument("node '" + node.name + "' (ScatterElements): index " +
                              std::to_string(static_cast<int64_t>(raw)) + " out of range for dim " +
                              std::to_string(axis_dim));
    for (int d = 0; d < rank; ++d) target += (d == axis ? k : pos[d]) * strides[d];
    store(y, target, load(upd, i));
  }
  return Status::ok();
}

}  // namespace reference_detail

namespace rules {

std::string batch_arg_max(const Graph&, const Node& node) {
  return node.p<ArgMaxParams>().axis == 0 ? "reduces over the batch dim" : "";
}

std::string batch_scatter_elements(const Graph&, const Node& node) {
  return node.p<ScatterElementsParams>().axis == 0 ? "scatters along the batch dim" : "";
}

}  // namespace rules

}  // namespace toonbox::ops
