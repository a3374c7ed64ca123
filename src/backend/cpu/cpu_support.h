// The CPU backend's capability query: "" when a node can run, else why not.
#pragma once

#include <string>

#include "graph/graph.h"

namespace toonbox::cpu {

std::string cpu_unsupported_reason(const graph::Graph& graph, const graph::Node& node,
                                   Precision precision);

}  // namespace toonbox::cpu
