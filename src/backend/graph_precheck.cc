#include "backend/graph_precheck.h"

#include "ops/op_defs.h"

namespace toonbox::backend {

std::string precheck_node(const graph::Graph& g, const graph::Node& node) {
  if (ops::is_shape_op(node.kind))
    return "shape op left in the graph: backends take graphs after specialize()";
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const graph::Value& v = g.value(node.inputs[i]);
    const bool parameter = ops::is_parameter_input(node, i);
    if ((parameter || ops::is_weight_input(node, i)) && !v.constant) {
      const bool kernel = i == 1 && (node.kind == graph::OpKind::kConv2D ||
                                     node.kind == graph::OpKind::kConvTranspose);
      return std::string(parameter ? "input " : "weight input ") + std::to_string(i) + " ('" +
             v.name + "') must be constant" +
             (kernel ? " (a kernel computed at run time: only StyleGAN2's modulated form, "
                       "C * s[in] * d[out], is rewritten into a static convolution)"
                     : "");
    }
    if (!parameter && v.dtype != DType::kFloat32)
      return "tensor '" + v.name + "' is " + dtype_name(v.dtype) +
             "; backends compute float32 tensors (specialize() carries run-time integers as floats)";
  }
  for (int out : node.outputs) {
    const graph::Value& v = g.value(out);
    if (v.dtype != DType::kFloat32)
      return "tensor '" + v.name + "' is " + dtype_name(v.dtype) +
             "; backends compute float32 tensors (run specialize() first)";
  }
  return "";
}

Status check_compilable(const Backend& backend, const graph::Graph& g, Precision precision,
                        const std::string& who) {
  std::string problems;
  for (const std::string& problem : unsupported_nodes(backend, g, precision))
    problems += "\n  " + problem;
  for (int in : g.inputs())
    if (g.value(in).dtype != DType::kFloat32)
      problems += "\n  input '" + g.value(in).name + "' is " + dtype_name(g.value(in).dtype) +
                  ", not float32";
  if (!problems.empty()) return unimplemented(who + " cannot run this graph:" + problems);
  return Status::ok();
}

}  // namespace toonbox::backend
