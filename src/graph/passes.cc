#include "graph/passes.h"

#include "graph/batch_check.h"
#include "graph/shape_inference.h"
#include "ops/reference.h"

namespace toonbox {

Result<Graph> specialize(const Graph& source, const std::vector<Shape>& input_shapes,
                         const SpecializeOptions& options) {
  const int64_t max_folded_elements = options.max_folded_elements;
  Graph g = source;
  int64_t batch = 1;  // > 1 when an input's declared batch of 1 was bound to N
  if (input_shapes.size() != g.inputs().size()) {
    return invalid_argument("model has " + std::to_string(g.inputs().size()) + " inputs, got " +
                            std::to_string(input_shapes.size()) + " shapes");
  }
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    Value& in = g.value(g.inputs()[i]);
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
    TB_RETURN_IF_ERROR(check_shape(want, kMaxTensorElements, "input '" + in.name + "'"));
    in.shape = want;
  }

  std::vector<Node> kept;
  for (Node& node : g.nodes()) {
    if (batch > 1) lift_reshape_batch(g, node, batch);
    if (Status s = infer_node_shapes(g, node); !s.is_ok()) {
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
    const bool foldable = all_constant || node.kind == OpKind::kShape;
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
      TB_RETURN_IF_ERROR(reference_eval(g, node, in, &out).with_context("folding node '" + node.name + "'"));
      for (size_t i = 0; i < out.size(); ++i) {
        Value& v = g.value(node.outputs[i]);
        v.constant = std::move(out[i]);
        v.producer = -1;
      }
      continue;
    }
    if (is_shape_op(node.kind) && node.kind != OpKind::kIdentity) {
      return unimplemented("node '" + node.name + "' (" + op_kind_name(node.kind) +
                           ") depends on run-time data and cannot be folded");
    }
    kept.push_back(std::move(node));
  }

  // Identity nodes left over are aliases: rewire their readers and drop them.
  std::vector<int> alias(g.values().size());
  for (size_t v = 0; v < alias.size(); ++v) alias[v] = static_cast<int>(v);
  std::vector<Node> compute;
  for (Node& node : kept) {
    for (int& in : node.inputs) in = alias[in];
    if (node.kind == OpKind::kIdentity) {
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

namespace {

bool is_integer(DType t) {
  return t == DType::kInt32 || t == DType::kInt64 || t == DType::kUInt8;
}

// Why `node` cannot compute on integers carried as float, or "" if float arithmetic on
// exact integer values gives the integer result.
std::string integer_refusal(const Node& node) {
  switch (node.kind) {
    case OpKind::kCast:
    case OpKind::kWhere:
    case OpKind::kReshape:
    case OpKind::kTranspose:
    case OpKind::kSlice:
    case OpKind::kConcat:
    case OpKind::kGather:
    case OpKind::kExpand:
    case OpKind::kTile:
    case OpKind::kPad:
      return "";
    case OpKind::kBinary:
      switch (node.p<BinaryParams>().op) {
        case BinaryOp::kDiv:
        case BinaryOp::kPow:
        case BinaryOp::kPRelu:
          return std::string("integer ") + binary_op_name(node.p<BinaryParams>().op) +
                 " (rounding differs from float)";
        default:
          return "";
      }
    case OpKind::kUnary:
      switch (node.p<UnaryParams>().op) {
        case UnaryOp::kIdentity:
        case UnaryOp::kRelu:
        case UnaryOp::kClip:
        case UnaryOp::kAbs:
        case UnaryOp::kNeg:
        case UnaryOp::kFloor:
        case UnaryOp::kRound:
        case UnaryOp::kSquare:
        case UnaryOp::kNot:
          return "";
        default:
          return std::string("unary ") + unary_op_name(node.p<UnaryParams>().op) +
                 " on integers";
      }
    case OpKind::kReduce:
      if (node.p<ReduceParams>().op == ReduceOp::kMean) return "integer ReduceMean (truncates)";
      return "";
    default:
      return std::string(op_kind_name(node.kind)) + " on integers";
  }
}

}  // namespace

Status lower_runtime_integers(Graph& g) {
  // Types as shape inference left them; outputs are retyped after every node is seen.
  std::vector<DType> type(g.values().size());
  for (size_t v = 0; v < type.size(); ++v) type[v] = g.value(static_cast<int>(v)).dtype;
  std::vector<int> float_copy(g.values().size(), -1);
  for (size_t ni = 0; ni < g.nodes().size(); ++ni) {
    // `node` is re-fetched after add_constant (which grows values, not nodes).
    DType non_float = DType::kFloat32;
    {
      const Node& node = g.nodes()[ni];
      for (size_t i = 0; i < node.inputs.size(); ++i)
        if (!is_parameter_input(node, i) && type[node.inputs[i]] != DType::kFloat32)
          non_float = type[node.inputs[i]];
      for (int out : node.outputs)
        if (type[out] != DType::kFloat32) non_float = type[out];
    }
    if (non_float == DType::kFloat32) continue;
    Node& node = g.nodes()[ni];
    if (non_float == DType::kFloat16)
      return unimplemented("node '" + node.name + "' (" + op_kind_name(node.kind) +
                           "): float16 tensors inside the graph");
    if (std::string why = integer_refusal(node); !why.empty())
      return unimplemented("node '" + node.name + "' (" + op_kind_name(node.kind) + "): " + why +
                           " on run-time " + dtype_name(non_float) +
                           " data is not supported (run-time bool/int data runs as exact "
                           "float values: comparisons, logic, Cast, Where, Add/Sub/Mul/Max/Min "
                           "and data movement)");
    if (node.kind == OpKind::kCast) {
      const DType from = type[node.inputs[0]], to = node.p<CastParams>().to;
      UnaryOp op = UnaryOp::kIdentity;
      if (to == DType::kBool && from != DType::kBool)
        op = UnaryOp::kNonZero;
      else if (is_integer(to) && from == DType::kFloat32)
        op = UnaryOp::kTrunc;
      node.kind = OpKind::kUnary;
      node.params = UnaryParams{op};
    }
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int in = node.inputs[i];
      if (is_parameter_input(node, i) || type[in] == DType::kFloat32 || !g.is_constant(in)) continue;
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
  for (Node& node : g.nodes())
    for (int out : node.outputs) g.value(out).dtype = DType::kFloat32;
  return Status::ok();
}

int fuse_conv_activation(Graph& g) {
  const std::vector<int> uses = g.use_counts();
  std::vector<bool> is_graph_output(g.values().size(), false);
  for (int out : g.outputs()) is_graph_output[out] = true;
  int fused = 0;
  std::vector<int> alias(g.values().size());
  for (size_t v = 0; v < alias.size(); ++v) alias[v] = static_cast<int>(v);
  std::vector<Node> nodes;
  for (Node& node : g.nodes()) {
    for (int& in : node.inputs) in = alias[in];
    if (node.kind == OpKind::kUnary && !g.is_constant(node.inputs[0])) {
      const auto& u = node.p<UnaryParams>();
      const int src = node.inputs[0];
      const int producer = g.value(src).producer;
      const bool fusable_op = u.op == UnaryOp::kRelu || u.op == UnaryOp::kLeakyRelu ||
                              u.op == UnaryOp::kSigmoid || u.op == UnaryOp::kTanh ||
                              u.op == UnaryOp::kClip;
      if (fusable_op && producer >= 0 && uses[src] == 1 && !is_graph_output[src]) {
        // The producer was already moved into `nodes` at the same relative position.
        for (Node& prev : nodes) {
          if (prev.outputs[0] != src || prev.kind != OpKind::kConv2D) continue;
          auto& p = prev.p<Conv2DParams>();
          if (p.activation.op != UnaryOp::kIdentity) break;
          p.activation = Activation{u.op, u.alpha, u.beta};
          alias[node.outputs[0]] = src;
          g.value(src).name = node.name;  // the fused value now carries the later name
          ++fused;
          break;
        }
        if (alias[node.outputs[0]] == src) continue;
      }
    }
    nodes.push_back(std::move(node));
  }
  g.nodes() = std::move(nodes);
  std::vector<int> outputs = g.outputs();
  for (int& out : outputs) out = alias[out];
  g.set_outputs(std::move(outputs));
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (int out : g.nodes()[i].outputs) g.value(out).producer = static_cast<int>(i);
  g.prune();
  return fused;
}

}  // namespace toonbox
