// The CUDA backend's capability query: "" when a node can run, else why not.
#pragma once

#include <string>

#include "graph/graph.h"

namespace toonbox::cuda {

std::string cuda_unsupported_reason(const Graph& graph, const Node& node, Precision precision);

// "" when `value` is a float tensor, else the reason the CUDA backend cannot take it.
std::string float_only(const Graph& graph, int value);

}  // namespace toonbox::cuda
