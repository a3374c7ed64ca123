// What the graph-rewriting passes (modulated_conv, conv_transpose_lowering) share: a node
// list rebuilt in order, where a replaced node's place gets the nodes emitted for it
// (new values with shapes inferred), and the splice back into the graph.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "ops/op_defs.h"

namespace toonbox::compile {

class NodeEmitter {
 public:
  explicit NodeEmitter(graph::Graph& g) : g_(g) {}

  // Appends a node; its output is `out` (an existing value it now produces) or a new value.
  int emit(graph::OpKind kind, const std::string& name, std::vector<int> inputs,
           graph::OpParams params, int out = -1) {
    graph::Node n;
    n.kind = kind;
    n.name = name;
    n.inputs = std::move(inputs);
    n.params = std::move(params);
    if (out < 0) {
      graph::Value v;
      v.name = name;
      g_.values().push_back(std::move(v));
      out = static_cast<int>(g_.values().size()) - 1;
    }
    n.outputs = {out};
    if (!ops::infer_node_shapes(g_, n).is_ok()) ok_ = false;
    nodes_.push_back(std::move(n));
    return out;
  }

  int reshape(int v, const std::vector<int64_t>& shape, const std::string& name) {
    const int s = g_.add_constant(
        name + "/shape", Tensor::from_vector<int64_t>({static_cast<int64_t>(shape.size())}, shape));
    return emit(graph::OpKind::kReshape, name, {v, s}, graph::ReshapeParams{});
  }

  void keep(const graph::Node& n) { nodes_.push_back(n); }
  // False when a shape the pass did not foresee failed inference: keep the graph as it was.
  bool ok() const { return ok_; }

  // Replaces the graph's nodes with the emitted list, then prunes what nothing reads.
  void commit() {
    g_.nodes() = std::move(nodes_);
    set_producers(g_);
    g_.prune();
  }

  static void set_producers(graph::Graph& g) {
    for (graph::Value& v : g.values()) v.producer = -1;
    for (size_t i = 0; i < g.nodes().size(); ++i)
      for (int out : g.nodes()[i].outputs) g.value(out).producer = static_cast<int>(i);
  }

 protected:
  graph::Graph& g_;

 private:
  std::vector<graph::Node> nodes_;
  bool ok_ = true;
};

}  // namespace toonbox::compile
