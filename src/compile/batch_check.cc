#include "compile/batch_check.h"

#include "ops/op_defs.h"
#include "ops/shape_inference_util.h"

namespace toonbox::compile {

namespace {

using ops::shape_detail::constant_ints;

Status refuse(const graph::Node& node, const std::string& why) {
  return unimplemented("node '" + node.name + "' (" + graph::op_kind_name(node.kind) + ") " + why +
                       ": the model cannot run a batch, images go one at a time");
}

// The op-specific part comes from the op table: whether the op's output at batch item
// i depends only on input item i, given that every run-time value already has dim 0 ==
// batch.
Status check_node(const graph::Graph& g, const graph::Node& node) {
  if (node.inputs.empty()) return refuse(node, "has no input to carry the batch");
  if (std::string why = ops::op_def(node.kind).batch_refusal(g, node); !why.empty())
    return refuse(node, why);
  return Status::ok();
}

}  // namespace

bool lift_reshape_batch(graph::Graph& g, graph::Node& node, int64_t batch) {
  if (node.kind != graph::OpKind::kReshape || node.inputs.size() != 2) return false;
  const auto& p = node.p<graph::ReshapeParams>();
  if (p.mode != graph::ReshapeMode::kShapeTensor) return false;
  const graph::Value& in = g.value(node.inputs[0]);
  const graph::Value& target_value = g.value(node.inputs[1]);
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

Status check_batch_independent(const graph::Graph& g, int64_t batch) {
  for (const graph::Node& node : g.nodes()) {
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

}  // namespace toonbox::compile
