#include "backend/backend.h"

namespace toonbox {

std::vector<std::string> unsupported_nodes(const Backend& backend, const Graph& graph,
                                           Precision precision) {
  std::vector<std::string> problems;
  for (const Node& node : graph.nodes()) {
    std::string why = backend.unsupported_reason(graph, node, precision);
    if (!why.empty()) {
      problems.push_back("node '" + node.name + "' (" + op_kind_name(node.kind) + "): " + why);
    }
  }
  return problems;
}

}  // namespace toonbox
