// Which ops keep the items of a batch apart, given that every run-time value already
// carries the batch in dim 0 (compile/batch_check.cc checks that part).
#include <algorithm>

#include "graph/tensor_geometry.h"
#include "ops/op_rules.h"
#include "ops/shape_inference_util.h"

namespace toonbox::ops::rules {

using graph::ConcatParams;
using graph::DftParams;
using graph::GatherParams;
using graph::Graph;
using graph::Node;
using graph::ReduceParams;
using graph::resolve_perm;
using graph::SoftmaxParams;
using graph::TransposeParams;
using shape_detail::constant_ints;

std::string batch_per_item(const Graph&, const Node&) { return ""; }

std::string batch_reduce(const Graph&, const Node& node) {
  const auto& axes = node.p<ReduceParams>().axes;  // normalized and sorted by inference
  return axes.empty() || axes.front() == 0 ? "reduces over the batch dim" : "";
}

std::string batch_softmax(const Graph&, const Node& node) {
  return node.p<SoftmaxParams>().axis == 0 ? "normalizes over the batch dim" : "";
}

std::string batch_concat(const Graph&, const Node& node) {
  return node.p<ConcatParams>().axis == 0 ? "concatenates along the batch dim" : "";
}

std::string batch_gather(const Graph&, const Node& node) {
  return node.p<GatherParams>().axis == 0 ? "gathers along the batch dim" : "";
}

std::string batch_dft(const Graph& g, const Node& node) {
  const int64_t rank = static_cast<int64_t>(g.value(node.inputs[0]).shape.size());
  const int axis = node.p<DftParams>().axis;  // normalized by inference
  return axis == 0 || axis + rank == 0 ? "transforms along the batch dim" : "";
}

std::string batch_transpose(const Graph& g, const Node& node) {
  const Shape& x = g.value(node.inputs[0]).shape;
  auto perm = resolve_perm(node.p<TransposeParams>().perm, static_cast<int64_t>(x.size()));
  if (!perm.is_ok()) return "has " + perm.status().message();
  return (*perm)[0] != 0 ? "moves the batch dim" : "";
}

std::string batch_slice(const Graph& g, const Node& node) {
  auto geo = shape_detail::constant_slice(g, node);
  if (!geo.is_ok()) return "has " + geo.status().message();
  return geo->start[0] != 0 || geo->step[0] != 1 ? "slices the batch dim" : "";
}

std::string batch_pad(const Graph& g, const Node& node) {
  const Shape& x = g.value(node.inputs[0]).shape;
  auto pads = constant_ints(g, node, 1);
  if (!pads.is_ok()) return "has " + pads.status().message();
  if (pads->size() == 2 * x.size() && ((*pads)[0] != 0 || (*pads)[x.size()] != 0))
    return "pads the batch dim";
  return "";
}

std::string batch_matmul(const Graph& g, const Node& node) {
  // [N,...,M,K] x constant [K,P] (or batched [N,...]) keeps rows apart; a run-time
  // right operand of rank <= 2 would contract over the batch dim.
  const int b = node.inputs[1];
  if (!g.is_constant(b) && g.value(b).shape.size() <= 2) return "contracts over the batch dim";
  if (g.value(node.inputs[0]).shape.size() < 2) return "takes a vector over the batch dim";
  return "";
}

std::string batch_unknown(const Graph&, const Node&) {
  return "is not known to keep batch items apart";
}

}  // namespace toonbox::ops::rules
