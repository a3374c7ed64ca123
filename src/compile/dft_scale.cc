// fold_dft_scales (compile/fusion.h).
#include "compile/fusion.h"
#include "compile/graph_rewrite.h"

namespace toonbox::compile {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::DftParams;
using graph::Graph;
using graph::Node;
using graph::OpKind;

namespace {

// The scalar a Mul/Div node applies to `from` (its other input a one-element constant),
// as a factor; false when the node is not that.
bool constant_factor(const Graph& g, const Node& n, int from, double* factor) {
  if (n.kind != OpKind::kBinary || n.inputs.size() != 2) return false;
  const BinaryOp op = n.p<BinaryParams>().op;
  if (op != BinaryOp::kMul && op != BinaryOp::kDiv) return false;
  const int other = n.inputs[0] == from ? n.inputs[1] : n.inputs[0];
  if (other == from || !g.is_constant(other)) return false;
  if (op == BinaryOp::kDiv && n.inputs[0] != from) return false;  // c / x is not linear
  const Tensor& c = *g.value(other).constant;
  if (c.numel() != 1 || c.dtype() != DType::kFloat32) return false;
  // The product must keep the Dft's shape (a scalar of rank above it would broadcast up).
  if (g.value(n.outputs[0]).shape != g.value(from).shape) return false;
  const double v = c.data<float>()[0];
  if (op == BinaryOp::kDiv && v == 0) return false;
  *factor = op == BinaryOp::kMul ? v : 1.0 / v;
  return true;
}

}  // namespace

int fold_dft_scales(Graph& g) {
  const std::vector<int> uses = g.use_counts();
  std::vector<bool> is_output(g.values().size(), false);
  for (int out : g.outputs()) is_output[out] = true;
  std::vector<int> reader(g.values().size(), -1);  // the single reader's node index
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (int in : g.nodes()[i].inputs) reader[in] = static_cast<int>(i);
  int folded = 0;
  std::vector<int> alias(g.values().size());
  for (size_t v = 0; v < alias.size(); ++v) alias[v] = static_cast<int>(v);
  std::vector<bool> drop(g.nodes().size(), false);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    Node& dft = g.nodes()[i];
    if (dft.kind != OpKind::kDft) continue;
    const int y = dft.outputs[0];
    if (uses[y] != 1 || is_output[y] || reader[y] < 0) continue;
    const Node& next = g.nodes()[reader[y]];
    double factor = 1;
    if (!constant_factor(g, next, y, &factor)) continue;
    dft.p<DftParams>().scale = static_cast<float>(dft.p<DftParams>().scale * factor);
    alias[next.outputs[0]] = y;
    g.value(y).name = next.name;  // the folded value carries the later name
    drop[reader[y]] = true;
    ++folded;
  }
  // A Dft fed only by a Dft: the first one applies both scales.
  for (Node& second : g.nodes()) {
    if (second.kind != OpKind::kDft || second.p<DftParams>().scale == 1.f) continue;
    const int x = second.inputs[0];
    const int producer = g.value(x).producer;
    if (producer < 0 || uses[x] != 1 || is_output[x]) continue;
    Node& first = g.nodes()[producer];
    if (first.kind != OpKind::kDft) continue;
    first.p<DftParams>().scale *= second.p<DftParams>().scale;
    second.p<DftParams>().scale = 1.f;
    ++folded;
  }
  if (folded == 0) return 0;
  std::vector<Node> nodes;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    if (drop[i]) continue;
    Node n = std::move(g.nodes()[i]);
    for (int& in : n.inputs) in = alias[in];
    nodes.push_back(std::move(n));
  }
  install_rewritten_nodes(g, std::move(nodes), alias);
  return folded;
}

}  // namespace toonbox::compile
