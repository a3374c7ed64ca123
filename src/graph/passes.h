// Graph passes run between import and backend compilation.
#pragma once

#include <vector>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox {

// Binds concrete input shapes, infers every shape, folds every node whose inputs are all
// constant (shape arithmetic such as Shape -> StridedSlice -> Pack, and anything
// computed from it, like a box filter of a Fill of ones), resolves SAME padding, and
// prunes. The result contains compute ops only; anything else is an error naming the
// node. `max_folded_elements` caps what folding may materialize.
Result<Graph> specialize(const Graph& graph, const std::vector<Shape>& input_shapes,
                         int64_t max_folded_elements = int64_t{1} << 26);

// Merges an activation (Relu, LeakyRelu, Sigmoid, Tanh, Clip) into the Conv2D that
// feeds it when the conv's output has no other reader: one pass over memory, not two.
// Returns the number of fusions.
int fuse_conv_activation(Graph& graph);

}  // namespace toonbox
