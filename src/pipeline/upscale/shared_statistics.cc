#include "pipeline/upscale/shared_statistics.h"

#include <string>

namespace toonbox::pipeline {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::Graph;
using graph::Layout;
using graph::Node;
using graph::OpKind;
using graph::ReduceOp;
using graph::ReduceParams;

namespace {

bool is_spatial_mean(const Graph& g, const Node& n, Layout layout) {
  if (n.kind != OpKind::kReduce || n.inputs.size() != 1 || g.is_constant(n.inputs[0])) return false;
  const auto& p = n.p<ReduceParams>();
  if (p.op != ReduceOp::kMean || !p.keepdims || p.axes.size() != 2) return false;
  // Axes as imported (possibly negative, rank 4): H and W of the layout.
  auto norm = [](int64_t a) { return a < 0 ? a + 4 : a; };
  const int64_t a0 = norm(p.axes[0]), a1 = norm(p.axes[1]);
  const int64_t h = layout == Layout::kNCHW ? 2 : 1;
  return (a0 == h && a1 == h + 1) || (a0 == h + 1 && a1 == h);
}

// Every reader of `from` (node inputs, graph outputs) reads `to` instead.
void replace_uses(Graph& g, int from, int to) {
  for (Node& n : g.nodes())
    for (int& in : n.inputs)
      if (in == from) in = to;
  std::vector<int> outs = g.outputs();
  for (int& o : outs)
    if (o == from) o = to;
  g.set_outputs(std::move(outs));
}

}  // namespace

SharedStatistics SharedStatistics::find(const Graph& graph, Layout layout) {
  SharedStatistics s;
  s.graph_ = graph;
  s.layout_ = layout;
  for (const Node& n : graph.nodes())
    if (is_spatial_mean(graph, n, layout)) s.means_.push_back({n.outputs[0], n.inputs[0]});
  return s;
}

Graph SharedStatistics::with_fed_means(size_t k) const {
  Graph g = graph_;
  const Shape mean_shape = layout_ == Layout::kNCHW ? Shape{1, -1, 1, 1} : Shape{1, 1, 1, -1};
  for (size_t j = 0; j < k; ++j) {
    const int fed = g.add_input("toonbox.mean" + std::to_string(j), DType::kFloat32, mean_shape);
    replace_uses(g, means_[j].reduce_output, fed);
  }
  return g;
}

Graph SharedStatistics::probe_graph() const {
  Graph g = graph_;
  std::vector<int> outs;
  for (const Mean& m : means_) outs.push_back(m.feature);
  g.set_outputs(outs);
  g.prune();
  return g;
}

Graph SharedStatistics::level_graph(size_t k) const {
  Graph g = with_fed_means(k);
  const Shape mask_shape = layout_ == Layout::kNCHW ? Shape{1, 1, -1, -1} : Shape{1, -1, -1, 1};
  const int mask = g.add_input("toonbox.mask" + std::to_string(k), DType::kFloat32, mask_shape);
  const std::string name = "toonbox.owned_sum" + std::to_string(k);
  const int owned = g.add_node(OpKind::kBinary, name + ".mul", {means_[k].feature, mask},
                               BinaryParams{BinaryOp::kMul});
  const std::vector<int64_t> axes = layout_ == Layout::kNCHW ? std::vector<int64_t>{2, 3}
                                                             : std::vector<int64_t>{1, 2};
  const int sum = g.add_node(OpKind::kReduce, name, {owned}, ReduceParams{ReduceOp::kSum, axes, true});
  g.set_outputs({sum});
  g.prune();
  return g;
}

Graph SharedStatistics::final_graph() const {
  Graph g = with_fed_means(means_.size());
  g.prune();
  return g;
}

}  // namespace toonbox::pipeline
