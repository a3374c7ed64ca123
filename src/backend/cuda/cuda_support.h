// The CUDA backend's capability query: "" when a node can run, else why not.
#pragma once

#include <string>

#include "graph/graph.h"

namespace toonbox::cuda {

std::string cuda_unsupported_reason(const graph::Graph& graph, const graph::Node& node,
                                    Precision precision);

}  // namespace toonbox::cuda
