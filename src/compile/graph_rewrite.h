// What the rewriting passes (fusion.cc, dft_scale.cc) share: installing the rewritten
// node list. Not a public interface.
#pragma once

#include <vector>

#include "graph/graph.h"

namespace toonbox::compile {

// Sets `nodes` as the graph's nodes (their inputs already remapped), maps the graph
// outputs through `alias` (a value id -> the id that now carries it), recomputes the
// producers and prunes what nothing reads.
inline void install_rewritten_nodes(graph::Graph& g, std::vector<graph::Node> nodes,
                                    const std::vector<int>& alias) {
  g.nodes() = std::move(nodes);
  std::vector<int> outputs = g.outputs();
  for (int& out : outputs) out = alias[out];
  g.set_outputs(std::move(outputs));
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (int out : g.nodes()[i].outputs) g.value(out).producer = static_cast<int>(i);
  g.prune();
}

}  // namespace toonbox::compile
