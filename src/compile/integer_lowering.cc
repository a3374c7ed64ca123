#include "compile/integer_lowering.h"

#include "ops/op_defs.h"

namespace toonbox::compile {

namespace {

bool is_integer(DType t) {
  return t == DType::kInt32 || t == DType::kInt64 || t == DType::kUInt8;
}

}  // namespace

Status lower_runtime_integers(graph::Graph& g) {
  // Types as shape inference left them; outputs are retyped after every node is seen.
  std::vector<DType> type(g.values().size());
  for (size_t v = 0; v < type.size(); ++v) type[v] = g.value(static_cast<int>(v)).dtype;
  std::vector<int> float_copy(g.values().size(), -1);
  for (size_t ni = 0; ni < g.nodes().size(); ++ni) {
    // `node` is re-fetched after add_constant (which grows values, not nodes).
    DType non_float = DType::kFloat32;
    {
      const graph::Node& node = g.nodes()[ni];
      for (size_t i = 0; i < node.inputs.size(); ++i)
        if (!ops::is_parameter_input(node, i) && type[node.inputs[i]] != DType::kFloat32)
          non_float = type[node.inputs[i]];
      for (int out : node.outputs)
        if (type[out] != DType::kFloat32) non_float = type[out];
    }
    if (non_float == DType::kFloat32) continue;
    graph::Node& node = g.nodes()[ni];
    if (non_float == DType::kFloat16)
      return unimplemented("node '" + node.name + "' (" + graph::op_kind_name(node.kind) +
                           "): float16 tensors inside the graph");
    if (std::string why = ops::op_def(node.kind).integer_refusal(node); !why.empty())
      return unimplemented("node '" + node.name + "' (" + graph::op_kind_name(node.kind) +
                           "): " + why + " on run-time " + dtype_name(non_float) +
                           " data is not supported (run-time bool/int data runs as exact "
                           "float values: comparisons, logic, Cast, Where, Add/Sub/Mul/Max/Min "
                           "and data movement)");
    if (node.kind == graph::OpKind::kCast) {
      const DType from = type[node.inputs[0]], to = node.p<graph::CastParams>().to;
      graph::UnaryOp op = graph::UnaryOp::kIdentity;
      if (to == DType::kBool && from != DType::kBool)
        op = graph::UnaryOp::kNonZero;
      else if (is_integer(to) && from == DType::kFloat32)
        op = graph::UnaryOp::kTrunc;
      node.kind = graph::OpKind::kUnary;
      node.params = graph::UnaryParams{op};
    }
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int in = node.inputs[i];
      if (ops::is_parameter_input(node, i) || type[in] == DType::kFloat32 || !g.is_constant(in))
        continue;
      if (float_copy[in] < 0) {
        TB_ASSIGN_OR_RETURN(Tensor f, g.value(in).constant->cast(DType::kFloat32));
        const std::string name = g.value(in).name + "/as_float";
        const int id = g.add_constant(name, std::move(f));
        float_copy[in] = id;
        type.push_back(DType::kFloat32);
        float_copy.push_back(-1);
      }
      g.nodes()[ni].inputs[i] = float_copy[in];
    }
  }
  for (graph::Node& node : g.nodes())
    for (int out : node.outputs) g.value(out).dtype = DType::kFloat32;
  return Status::ok();
}

}  // namespace toonbox::compile
