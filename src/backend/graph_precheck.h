// What every backend requires of a graph before its own capability query
// (cpu/cpu_support.h, cuda/cuda_support.h), checked once here for both: no shape op left
// (specialize() folds them), parameter inputs (shapes, indices, pads, sizes) and weights
// constant (backends read them when they compile a node), float32 data everywhere else
// (specialize() carries run-time integers as floats) and float32 graph inputs.
#pragma once

#include <string>

#include "backend/backend.h"
#include "graph/graph.h"

namespace toonbox::backend {

// "" when `node` meets the requirements every backend shares, else why not.
std::string precheck_node(const graph::Graph& graph, const graph::Node& node);

// Ok when `backend` can run every node at `precision` and every graph input is float32;
// else kUnimplemented listing every problem under "<who> cannot run this graph:".
Status check_compilable(const Backend& backend, const graph::Graph& graph, Precision precision,
                        const std::string& who);

}  // namespace toonbox::backend
