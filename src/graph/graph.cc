#include "graph/graph.h"

#include <iterator>
#include <sstream>

namespace toonbox::graph {

const char* op_kind_name(OpKind kind) {
  static constexpr const char* kNames[] = {
#define TOONBOX_OP_KIND_NAME(name) #name,
      TOONBOX_OP_KINDS(TOONBOX_OP_KIND_NAME)
#undef TOONBOX_OP_KIND_NAME
  };
  static_assert(std::size(kNames) == kOpKindCount);
  const size_t i = static_cast<size_t>(kind);
  return i < kOpKindCount ? kNames[i] : "?";
}

const char* unary_op_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::kIdentity: return "identity";
    case UnaryOp::kRelu: return "relu";
    case UnaryOp::kLeakyRelu: return "leaky_relu";
    case UnaryOp::kSigmoid: return "sigmoid";
    case UnaryOp::kTanh: return "tanh";
    case UnaryOp::kClip: return "clip";
    case UnaryOp::kSquare: return "square";
    case UnaryOp::kSqrt: return "sqrt";
    case UnaryOp::kAbs: return "abs";
    case UnaryOp::kNeg: return "neg";
    case UnaryOp::kExp: return "exp";
    case UnaryOp::kLog: return "log";
    case UnaryOp::kRound: return "round";
    case UnaryOp::kFloor: return "floor";
    case UnaryOp::kErf: return "erf";
    case UnaryOp::kHardSigmoid: return "hard_sigmoid";
    case UnaryOp::kElu: return "elu";
    case UnaryOp::kTrunc: return "trunc";
    case UnaryOp::kNonZero: return "nonzero";
    case UnaryOp::kNot: return "not";
  }
  return "?";
}

const char* binary_op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "add";
    case BinaryOp::kSub: return "sub";
    case BinaryOp::kMul: return "mul";
    case BinaryOp::kDiv: return "div";
    case BinaryOp::kMax: return "max";
    case BinaryOp::kMin: return "min";
    case BinaryOp::kPow: return "pow";
    case BinaryOp::kEqual: return "equal";
    case BinaryOp::kLess: return "less";
    case BinaryOp::kLessEqual: return "less_equal";
    case BinaryOp::kGreater: return "greater";
    case BinaryOp::kGreaterEqual: return "greater_equal";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kOr: return "or";
    case BinaryOp::kXor: return "xor";
  }
  return "?";
}

int Graph::add_input(const std::string& name, DType dtype, Shape shape) {
  values_.push_back(Value{name, dtype, std::move(shape), std::nullopt, -1});
  inputs_.push_back(static_cast<int>(values_.size()) - 1);
  return inputs_.back();
}

int Graph::add_constant(const std::string& name, Tensor value) {
  Value v;
  v.name = name;
  v.dtype = value.dtype();
  v.shape = value.shape();
  v.constant = std::move(value);
  values_.push_back(std::move(v));
  return static_cast<int>(values_.size()) - 1;
}

int Graph::add_node(OpKind kind, const std::string& name, std::vector<int> inputs, OpParams params,
                    int num_outputs) {
  Node n;
  n.kind = kind;
  n.name = name;
  n.inputs = std::move(inputs);
  n.params = std::move(params);
  const int node_index = static_cast<int>(nodes_.size());
  for (int i = 0; i < num_outputs; ++i) {
    Value v;
    v.name = num_outputs == 1 ? name : name + ":" + std::to_string(i);
    v.producer = node_index;
    values_.push_back(std::move(v));
    n.outputs.push_back(static_cast<int>(values_.size()) - 1);
  }
  nodes_.push_back(std::move(n));
  return nodes_.back().outputs[0];
}

std::vector<int> Graph::use_counts() const {
  std::vector<int> uses(values_.size(), 0);
  for (const Node& n : nodes_)
    for (int in : n.inputs) ++uses[in];
  for (int out : outputs_) ++uses[out];
  return uses;
}

std::string Graph::to_string() const {
  std::ostringstream os;
  for (int in : inputs_)
    os << "input " << values_[in].name << " " << shape_to_string(values_[in].shape) << "\n";
  for (const Node& n : nodes_) {
    os << op_kind_name(n.kind);
    if (n.kind == OpKind::kUnary) os << "(" << unary_op_name(n.p<UnaryParams>().op) << ")";
    if (n.kind == OpKind::kBinary) os << "(" << binary_op_name(n.p<BinaryParams>().op) << ")";
    os << " " << n.name << " <-";
    for (int in : n.inputs) {
      os << " " << values_[in].name << shape_to_string(values_[in].shape);
      if (values_[in].constant) os << "(const)";
    }
    os << " ->";
    for (int out : n.outputs) os << " " << shape_to_string(values_[out].shape);
    os << "\n";
  }
  return os.str();
}

void Graph::prune() {
  std::vector<bool> live_value(values_.size(), false);
  std::vector<bool> live_node(nodes_.size(), false);
  for (int out : outputs_) live_value[out] = true;
  for (int i = static_cast<int>(nodes_.size()) - 1; i >= 0; --i) {
    bool needed = false;
    for (int out : nodes_[i].outputs) needed = needed || live_value[out];
    if (!needed) continue;
    live_node[i] = true;
    for (int out : nodes_[i].outputs) live_value[out] = true;  // keep output indices stable
    for (int in : nodes_[i].inputs) live_value[in] = true;
  }
  for (int in : inputs_) live_value[in] = true;  // inputs stay even when unused

  std::vector<int> remap(values_.size(), -1);
  std::vector<Value> values;
  for (size_t v = 0; v < values_.size(); ++v) {
    if (!live_value[v]) continue;
    remap[v] = static_cast<int>(values.size());
    values.push_back(std::move(values_[v]));
  }
  std::vector<Node> nodes;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!live_node[i]) continue;
    Node n = std::move(nodes_[i]);
    for (int& in : n.inputs) in = remap[in];
    for (int& out : n.outputs) {
      out = remap[out];
      values[out].producer = static_cast<int>(nodes.size());
    }
    nodes.push_back(std::move(n));
  }
  for (int& in : inputs_) in = remap[in];
  for (int& out : outputs_) out = remap[out];
  values_ = std::move(values);
  nodes_ = std::move(nodes);
}

}  // namespace toonbox::graph
