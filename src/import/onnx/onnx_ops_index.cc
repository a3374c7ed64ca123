// Translators of the index and sampling ops face-restoration exports use: ArgMax/ArgMin,
// TopK with k = 1 (CodeFormer's code lookup), ScatterElements (its one-hot codes) and
// RandomNormalLike (GFPGAN's noise injection when exported with randomize_noise).
#include "import/onnx/onnx_ops.h"

namespace toonbox::onnx_import {

using graph::ArgMaxParams;
using graph::NoParams;
using graph::OpKind;
using graph::ReduceOp;
using graph::ReduceParams;
using graph::ScatterElementsParams;

namespace {

Status arg_extreme(OnnxBuilder& b, const onnx::NodeProto& n, bool select_min) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(int64_t axis, a.i("axis", 0));
  TB_ASSIGN_OR_RETURN(int64_t keepdims, a.i("keepdims", 1));
  TB_ASSIGN_OR_RETURN(int64_t last, a.i("select_last_index", 0));
  const ArgMaxParams p{static_cast<int>(axis), keepdims != 0, select_min, last != 0};
  return b.bind_output(n, b.add(OpKind::kArgMax, n, "", {x}, p));
}

Status arg_max(OnnxBuilder& b, const onnx::NodeProto& n) { return arg_extreme(b, n, false); }
Status arg_min(OnnxBuilder& b, const onnx::NodeProto& n) { return arg_extreme(b, n, true); }

// TopK with a constant k of 1 is ArgMax (or ArgMin) plus the matching Reduce, both kept:
// ties give the lowest index, as ONNX Runtime's TopK. Larger k (a sort) is refused.
Status top_k(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  int64_t k = 0;
  if (b.opset() < 10) {
    TB_ASSIGN_OR_RETURN(k, a.i("k"));
  } else {
    TB_ASSIGN_OR_RETURN(std::vector<int64_t> ks, b.constant_ints(n, 1));
    if (ks.size() != 1) return b.error(n, "k must hold one value");
    k = ks[0];
  }
  if (k != 1)
    return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (TopK): k = " +
                         std::to_string(k) + " is not supported (only k = 1, an ArgMax)");
  TB_ASSIGN_OR_RETURN(int64_t axis, a.i("axis", -1));
  TB_ASSIGN_OR_RETURN(int64_t largest, a.i("largest", 1));
  const ReduceOp op = largest != 0 ? ReduceOp::kMax : ReduceOp::kMin;
  const int values = b.add(OpKind::kReduce, n, "/values", {x}, ReduceParams{op, {axis}, true});
  const int indices = b.add(OpKind::kArgMax, n, "/indices", {x},
                            ArgMaxParams{static_cast<int>(axis), true, largest == 0, false});
  if (n.output_size() < 1 || n.output_size() > 2) return b.error(n, "expected 1 or 2 outputs");
  if (!n.output(0).empty()) b.bind(n.output(0), values);
  if (n.output_size() > 1 && !n.output(1).empty()) b.bind(n.output(1), indices);
  return Status::ok();
}

Status scatter_elements(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int data, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int indices, b.input(n, 1));
  TB_ASSIGN_OR_RETURN(int updates, b.input(n, 2));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(std::string reduction, a.s("reduction", std::string("none")));
  if (reduction != "none")
    return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (ScatterElements): reduction '" +
                         reduction + "' is not supported (only 'none')");
  TB_ASSIGN_OR_RETURN(int64_t axis, a.i("axis", 0));
  return b.bind_output(n, b.add(OpKind::kScatterElements, n, "", {data, indices, updates},
                                ScatterElementsParams{static_cast<int>(axis)}));
}

// Deterministic by design: the distribution's mean instead of a draw (0 for GFPGAN's
// noise), so that every run and every backend gives the same output. read_onnx_model_info
// says so (OnnxModelInfo::notes).
Status random_normal_like(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(float mean, a.f("mean", 0.f));
  if (a.has("dtype")) {
    TB_ASSIGN_OR_RETURN(int64_t dt, a.i("dtype"));
    if (dt != onnx::TensorProto::FLOAT && dt != onnx::TensorProto::FLOAT16 &&
        dt != onnx::TensorProto::DOUBLE)
      return b.error(n, "dtype " + std::to_string(dt) + " is not a float type");
  }
  int s = b.add(OpKind::kShape, n, "/shape", {x}, NoParams{});
  const int value = b.graph().add_constant(OnnxBuilder::node_name(n) + "/mean",
                                           Tensor::from_vector<float>({}, {mean}));
  return b.bind_output(n, b.add(OpKind::kFill, n, "", {s, value}, NoParams{}));
}

}  // namespace

void add_index_translators(std::map<std::string, Translator>& table) {
  table["ArgMax"] = arg_max;
  table["ArgMin"] = arg_min;
  table["TopK"] = top_k;
  table["ScatterElements"] = scatter_elements;
  table["RandomNormalLike"] = random_normal_like;
}

std::string deterministic_sampling_note(const std::string& op, int count) {
  return op + " (" + std::to_string(count) + (count == 1 ? " node" : " nodes") +
         "): no random draw; toonbox uses the distribution's mean, so every run gives the same "
         "output";
}

}  // namespace toonbox::onnx_import
