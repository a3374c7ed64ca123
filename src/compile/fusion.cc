#include "compile/fusion.h"
#include "compile/graph_rewrite.h"

namespace toonbox::compile {

using graph::Activation;
using graph::Conv2DParams;
using graph::Graph;
using graph::Node;
using graph::OpKind;
using graph::UnaryOp;
using graph::UnaryParams;

namespace {

Node* produced_by(std::vector<Node>& nodes, int value) {
  for (Node& n : nodes)
    if (!n.outputs.empty() && n.outputs[0] == value) return &n;
  return nullptr;
}

}  // namespace

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
        // The producer was already moved into `nodes`. Element-wise activations commute
        // with pure data movement, so a conv behind a DepthToSpace or a crop (the
        // sub-pixel form of a transposed conv) takes the activation too.
        Node* conv = nullptr;
        for (int v = src; conv == nullptr;) {
          Node* prev = produced_by(nodes, v);
          if (prev == nullptr) break;
          if (prev->kind == OpKind::kConv2D) {
            conv = prev;
          } else if ((prev->kind == OpKind::kDepthToSpace || prev->kind == OpKind::kSlice) &&
                     uses[prev->inputs[0]] == 1 && !is_graph_output[prev->inputs[0]]) {
            v = prev->inputs[0];
          } else {
            break;
          }
        }
        if (conv != nullptr && conv->p<Conv2DParams>().activation.op == UnaryOp::kIdentity) {
          conv->p<Conv2DParams>().activation = Activation{u.op, u.alpha, u.beta};
          alias[node.outputs[0]] = src;
          g.value(src).name = node.name;  // the fused value now carries the later name
          ++fused;
          continue;
        }
      }
    }
    nodes.push_back(std::move(node));
  }
  install_rewritten_nodes(g, std::move(nodes), alias);
  return fused;
}

}  // namespace toonbox::compile
