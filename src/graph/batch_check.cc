#include "graph/batch_check.h"

#include <algorithm>

#include "graph/shape_inference_util.h"
#include "graph/tensor_geometry.h"

namespace toonbox {

namespace {

using shape_detail::constant_ints;

Status refuse(const Node& node, const std::string& why) {
  return unimplemented("node '" + node.name + "' (" + op_kind_name(node.kind) + ") " + why +
                       ": the model cannot run a batch, images go one at a time");
}

// The op-specific part: ops whose output at batch item i depends only on input item i
// given that every run-time value already has dim 0 == batch.
Status check_node(const Graph& g, const Node& node) {
  if (node.inputs.empty()) return refuse(node, "has no input to carry the batch");
  const Shape& x = g.value(node.inputs[0]).shape;
  switch (node.kind) {
    case OpKind::kConv2D:
    case OpKind::kConvTranspose:
    case OpKind::kPool:
    case OpKind::kResize:
    case OpKind::kUnary:
    case OpKind::kBinary:  // broadcasting a [1,...] constant over N is per item
    case OpKind::kCast:
    case OpKind::kWhere:
    case OpKind::kExpand:  // input and output both carry N: repeats along dim 0 are 1
    case OpKind::kTile:
    case OpKind::kReshape:  // row-major with dim 0 kept: each item stays contiguous
      return Status::ok();
    case OpKind::kReduce: {
      const auto& axes = node.p<ReduceParams>().axes;  // normalized and sorted by inference
      if (axes.empty() || axes.front() == 0) return refuse(node, "reduces over the batch dim");
      return Status::ok();
    }
    case OpKind::kSoftmax:
      if (node.p<SoftmaxParams>().axis == 0) return refuse(node, "normalizes over the batch dim");
      return Status::ok();
    case OpKind::kConcat:
      if (node.p<ConcatParams>().axis == 0) return refuse(node, "concatenates along the batch dim");
      return Status::ok();
    case OpKind::kGather:
      if (node.p<GatherParams>().axis == 0) return refuse(node, "gathers along the batch dim");
      return Status::ok();
    case OpKind::kTranspose: {
      TB_ASSIGN_OR_RETURN(std::vector<int64_t> perm,
                          resolve_perm(node.p<TransposeParams>().perm, static_cast<int64_t>(x.size())));
      if (perm[0] != 0) return refuse(node, "moves the batch dim");
      return Status::ok();
    }
    case OpKind::kSlice: {
      TB_ASSIGN_OR_RETURN(SliceGeometry geo, shape_detail::constant_slice(g, node));
      if (geo.start[0] != 0 || geo.step[0] != 1) return refuse(node, "slices the batch dim");
      return Status::ok();
    }
    case OpKind::kPad: {
      TB_ASSIGN_OR_RETURN(std::vector<int64_t> pads, constant_ints(g, node, 1));
      if (pads.size() == 2 * x.size() && (pads[0] != 0 || pads[x.size()] != 0))
        return refuse(node, "pads the batch dim");
      return Status::ok();
    }
    case OpKind::kMatMul: {
      // [N,...,M,K] x constant [K,P] (or batched [N,...]) keeps rows apart; a run-time
      // right operand of rank <= 2 would contract over the batch dim.
      const int b = node.inputs[1];
      if (!g.is_constant(b) && g.value(b).shape.size() <= 2)
        return refuse(node, "contracts over the batch dim");
      if (x.size() < 2) return refuse(node, "takes a vector over the batch dim");
      return Status::ok();
    }
    default:
      return refuse(node, "is not known to keep batch items apart");
  }
}

}  // namespace

bool lift_reshape_batch(Graph& g, Node& node, int64_t batch) {
  if (node.kind != OpKind::kReshape || node.inputs.size() != 2) return false;
  const auto& p = node.p<ReshapeParams>();
  if (p.mode != ReshapeMode::kShapeTensor) return false;
  const Value& in = g.value(node.inputs[0]);
  const Value& target_value = g.value(node.inputs[1]);
  if (g.is_constant(node.inputs[0]) || in.shape.empty() || in.shape[0] != batch) return false;
  if (!target_value.constant || target_value.constant->rank() != 1) return false;
  auto target = constant_ints(g, node, 1);
  if (!target.is_ok() || target->empty() || (*target)[0] != 1) return false;
  int64_t per_item = 1;
  for (size_t d = 1; d < in.shape.size(); ++d) per_item *= in.shape[d];
  int64_t known = 1;
  bool wildcard = false;
  for (size_t d = 1; d < target->size(); ++d) {
    int64_t dim = (*target)[d];
    if (dim == 0 && !p.allowzero) dim = d < in.shape.size() ? in.shape[d] : -2;
    if (dim == -1 && !wildcard) {
      wildcard = true;
      continue;
    }
    if (dim <= 0) return false;
    known *= dim;
  }
  if (wildcard ? per_item % known != 0 : known != per_item) return false;
  Tensor lifted = target_value.constant->clone();  // copies share storage
  if (lifted.dtype() == DType::kInt64)
    lifted.data<int64_t>()[0] = batch;
  else if (lifted.dtype() == DType::kInt32)
    lifted.data<int32_t>()[0] = static_cast<int32_t>(batch);
  else
    return false;
  node.inputs[1] = g.add_constant(target_value.name + "/batch" + std::to_string(batch), std::move(lifted));
  return true;
}

Status check_batch_independent(const Graph& g, int64_t batch) {
  for (const Node& node : g.nodes()) {
    for (int out : node.outputs) {
      const Shape& s = g.value(out).shape;
      if (s.empty() || s[0] != batch) {
        return refuse(node, "gives " + shape_to_string(s) + ", not " + std::to_string(batch) +
                                " items along dim 0");
      }
    }
    for (int in : node.inputs) {
      if (g.is_constant(in)) continue;
      const Shape& s = g.value(in).shape;
      if (s.empty() || s[0] != batch)
        return refuse(node, "reads " + shape_to_string(s) + " without the batch dim");
    }
    TB_RETURN_IF_ERROR(check_node(g, node));
  }
  return Status::ok();
}

}  // namespace toonbox
