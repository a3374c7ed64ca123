// Fusion passes run after specialize(), before a backend compiles the graph.
#pragma once

#include "graph/graph.h"

namespace toonbox {

// Merges an activation (Relu, LeakyRelu, Sigmoid, Tanh, Clip) into the Conv2D that
// feeds it when the conv's output has no other reader: one pass over memory, not two.
// Returns the number of fusions.
int fuse_conv_activation(Graph& graph);

}  // namespace toonbox
