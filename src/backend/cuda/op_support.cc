#include "backend/cuda/op_support.h"

#include <climits>

#include "backend/cuda/kernels/elementwise.h"
#include "backend/cuda/tensor_steps.h"

namespace toonbox::cuda {

std::string float_only(const Graph& g, int value) {
  const Value& v = g.value(value);
  if (v.dtype != DType::kFloat32)
    return "tensor '" + v.name + "' is " + dtype_name(v.dtype) + "; the CUDA backend runs float tensors only";
  return "";
}

namespace {

bool fits_int(const Shape& s) {
  for (int64_t d : s)
    if (d < 0 || d > INT_MAX) return false;
  return shape_numel(s) <= INT_MAX;
}

}  // namespace

std::string cuda_unsupported_reason(const Graph& g, const Node& node, Precision precision) {
  if (precision != Precision::kFloat32 && precision != Precision::kFloat16)
    return std::string("precision ") + precision_name(precision) + " is not supported";
  if (is_shape_op(node.kind))
    return "shape op left in the graph: backends take graphs after specialize()";
  for (int out : node.outputs) {
    if (std::string why = float_only(g, out); !why.empty()) return why;
    if (!fits_int(g.value(out).shape))
      return "output " + shape_to_string(g.value(out).shape) + " exceeds 2^31 elements";
  }
  switch (node.kind) {
    case OpKind::kConv2D: {
      if (node.inputs.size() < 2 || node.inputs.size() > 3) return "Conv2D takes 2 or 3 inputs";
      for (int in : node.inputs)
        if (std::string why = float_only(g, in); !why.empty()) return why;
      const auto& p = node.p<Conv2DParams>();
      if (p.pad_mode != PadMode::kExplicit) return "padding not resolved: run specialize() first";
      if (g.value(node.inputs[0]).shape.size() != 4 || g.value(node.inputs[1]).shape.size() != 4)
        return "Conv2D needs a 4-D input and 4-D OIHW weights";
      if (!g.is_constant(node.inputs[1])) return "Conv2D weights must be constant";
      if (node.inputs.size() > 2 && !g.is_constant(node.inputs[2])) return "Conv2D bias must be constant";
      return "";
    }
    case OpKind::kBinary:
      for (int in : node.inputs)
        if (std::string why = float_only(g, in); !why.empty()) return why;
      if (g.value(node.outputs[0]).shape.size() > static_cast<size_t>(kMaxBroadcastRank))
        return "Binary ops support rank <= " + std::to_string(kMaxBroadcastRank) + ", got " +
               shape_to_string(g.value(node.outputs[0]).shape);
      return "";
    case OpKind::kUnary:
      return float_only(g, node.inputs[0]);
    case OpKind::kResize:
      if (std::string why = float_only(g, node.inputs[0]); !why.empty()) return why;
      if (g.value(node.inputs[0]).shape.size() != 4) return "Resize needs a 4-D input";
      if (node.inputs.size() != 2 || !g.is_constant(node.inputs[1])) return "Resize size must be a constant";
      return "";
    default:
      return tensor_op_unsupported_reason(g, node);
  }
}

}  // namespace toonbox::cuda
