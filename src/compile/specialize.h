// specialize(): the first compile step, from an imported graph (unknown dims, shape
// ops) to one a backend compiles (concrete shapes, compute ops only).
#pragma once

#include <vector>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::compile {

struct SpecializeOptions {
  int64_t max_folded_elements = int64_t{1} << 26;  // caps what folding may materialize
  // Opt-in batching: an input whose declared dim 0 is 1 may be bound to N > 1. The
  // result is then checked with check_batch_independent() (compile/batch_check.h), so a
  // model whose ops would mix the images fails here, naming the node, instead of
  // returning blended outputs.
  bool allow_batch = false;
};

// Binds concrete input shapes, infers every shape, folds every node whose inputs are all
// constant (shape arithmetic such as Shape -> StridedSlice -> Pack, and anything
// computed from it, like a box filter of a Fill of ones), resolves SAME padding, and
// prunes. The result contains compute ops only; anything else is an error naming the
// node. `max_folded_elements` caps what folding may materialize.
Result<graph::Graph> specialize(const graph::Graph& graph, const std::vector<Shape>& input_shapes,
                                const SpecializeOptions& options);
inline Result<graph::Graph> specialize(const graph::Graph& graph,
                                       const std::vector<Shape>& input_shapes) {
  return specialize(graph, input_shapes, SpecializeOptions{});
}

}  // namespace toonbox::compile
