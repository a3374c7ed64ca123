#include "compile/specialize.h"

#include "compile/batch_check.h"
#include "compile/integer_lowering.h"
#include "ops/op_defs.h"
#include "ops/reference.h"
#include "ops/shape_inference.h"

namespace toonbox::compile {

Result<graph::Graph> specialize(const graph::Graph& source, const std::vector<Shape>& input_shapes,
                                const SpecializeOptions& options) {
  const int64_t max_folded_elements = options.max_folded_elements;
  graph::Graph g = source;
  int64_t batch = 1;  // > 1 when an input's declared batch of 1 was bound to N
  if (input_shapes.size() != g.inputs().size()) {
    return invalid_argument("model has " + std::to_string(g.inputs().size()) + " inputs, got " +
                            std::to_string(input_shapes.size()) + " shapes");
  }
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    graph::Value& in = g.value(g.inputs()[i]);
    const Shape& want = input_shapes[i];
    if (in.shape.size() != want.size()) {
      return invalid_argument("input '" + in.name + "': got shape " + shape_to_string(want) +
                              ", expected " + shape_to_string(in.shape));
    }
    for (size_t d = 0; d < want.size(); ++d) {
      if (d == 0 && options.allow_batch && in.shape[0] == 1 && want[0] > 1) {
        if (batch != 1 && batch != want[0])
          return invalid_argument("inputs bound to different batch sizes " +
                                  std::to_string(batch) + " and " + std::to_string(want[0]));
        batch = want[0];
        continue;
      }
      if (in.shape[d] >= 0 && in.shape[d] != want[d]) {
        return invalid_argument("input '" + in.name + "': got shape " + shape_to_string(want) +
                                ", expected " + shape_to_string(in.shape));
      }
    }
    TB_RETURN_IF_ERROR(check_shape(want, ops::kMaxTensorElements, "input '" + in.name + "'"));
    in.shape = want;
  }

  std::vector<graph::Node> kept;
  for (graph::Node& node : g.nodes()) {
    if (batch > 1) lift_reshape_batch(g, node, batch);
    if (Status s = ops::infer_node_shapes(g, node); !s.is_ok()) {
      // With a batch bound, a shape error is most likely the model's batch-1 assumption
      // (a Reshape to a constant [1,...]): say so, as the batch check would.
      if (batch > 1)
        return unimplemented(s.message() + " (with a batch of " + std::to_string(batch) +
                             "): the model cannot run a batch, images go one at a time");
      return s;
    }
    bool all_constant = true;
    for (int in : node.inputs) all_constant = all_constant && g.is_constant(in);
    int64_t out_elements = 0;
    for (int out : node.outputs) out_elements += shape_numel(g.value(out).shape);
    // A Shape node only reads its input's shape, which is known now.
    const bool foldable = all_constant || node.kind == graph::OpKind::kShape;
    if (foldable && out_elements <= max_folded_elements) {
      std::vector<const Tensor*> in;
      Tensor shape_only;  // Shape's input may be a run-time value: pass an empty stand-in
      for (int i : node.inputs) {
        if (g.is_constant(i)) {
          in.push_back(&*g.value(i).constant);
        } else {
          shape_only = Tensor(DType::kUInt8, {0});
          shape_only = shape_only.reshaped(g.value(i).shape);
          in.push_back(&shape_only);
        }
      }
      std::vector<Tensor> out;
      TB_RETURN_IF_ERROR(
          ops::reference_eval(g, node, in, &out).with_context("folding node '" + node.name + "'"));
      for (size_t i = 0; i < out.size(); ++i) {
        graph::Value& v = g.value(node.outputs[i]);
        v.constant = std::move(out[i]);
        v.producer = -1;
      }
      continue;
    }
    if (ops::is_shape_op(node.kind) && node.kind != graph::OpKind::kIdentity) {
      return unimplemented("node '" + node.name + "' (" + graph::op_kind_name(node.kind) +
                           ") depends on run-time data and cannot be folded");
    }
    kept.push_back(std::move(node));
  }

  // Identity nodes left over are aliases: rewire their readers and drop them.
  std::vector<int> alias(g.values().size());
  for (size_t v = 0; v < alias.size(); ++v) alias[v] = static_cast<int>(v);
  std::vector<graph::Node> compute;
  for (graph::Node& node : kept) {
    for (int& in : node.inputs) in = alias[in];
    if (node.kind == graph::OpKind::kIdentity) {
      alias[node.outputs[0]] = node.inputs[0];
      continue;
    }
    compute.push_back(std::move(node));
  }
  g.nodes() = std::move(compute);
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (int out : g.nodes()[i].outputs) g.value(out).producer = static_cast<int>(i);
  // An output produced by an Identity now points at the aliased value directly.
  std::vector<int> outputs = g.outputs();
  for (int& out : outputs) out = alias[out];
  g.set_outputs(std::move(outputs));
  g.prune();
  TB_RETURN_IF_ERROR(lower_runtime_integers(g));
  if (batch > 1) TB_RETURN_IF_ERROR(check_batch_independent(g, batch));
  return g;
}

}  // namespace toonbox::compile
