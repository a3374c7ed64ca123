// The CPU backend's capability query: "" when a node can run, else why not.
#pragma once

#include <string>

#include "graph/graph.h"

namespace toonbox::cpu {

std::string cpu_unsupported_reason(const Graph& graph, const Node& node, Precision precision);

}  // namespace toonbox::cpu
