// Graph passes run between import and backend compilation.
#pragma once

#include <vector>

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox {

struct SpecializeOptions {
  int64_t max_folded_elements = int64_t{1} << 26;  // caps what folding may materialize
  // Opt-in batching: an input whose declared dim 0 is 1 may be bound to N > 1. The
  // result is then checked with check_batch_independent() (graph/batch_check.h), so a
  // model whose ops would mix the images fails here, naming the node, instead of
  // returning blended outputs.
  bool allow_batch = false;
};

// Binds concrete input shapes, infers every shape, folds every node whose inputs are all
// constant (shape arithmetic such as Shape -> StridedSlice -> Pack, and anything
// computed from it, like a box filter of a Fill of ones), resolves SAME padding, and
// prunes. The result contains compute ops only; anything else is an error naming the
// node. `max_folded_elements` caps what folding may materialize.
Result<Graph> specialize(const Graph& graph, const std::vector<Shape>& input_shapes,
                         const SpecializeOptions& options);
inline Result<Graph> specialize(const Graph& graph, const std::vector<Shape>& input_shapes) {
  return specialize(graph, input_shapes, SpecializeOptions{});
}

// Run-time (non-constant) bool and integer values become float32 holding the exact
// values (bool: 0 or 1; integers exact while |v| < 2^24, and < 2^11 = 2048 under fp16
// storage), so every backend runs Equal/Less/Greater/And/Or/Not, Cast and Where with its
// float kernels. Cast becomes a Unary: to an integer type from float kTrunc (toward zero,
// as ONNX Runtime), to bool kNonZero, anything else kIdentity. Constant non-float inputs
// of such nodes get float copies; parameter inputs (shapes, indices, pads) stay integers.
// Ops whose integer semantics differ from float arithmetic (Div, Pow, MatMul, Mean, ...)
// on run-time integers are an error naming the node. Called by specialize() after
// folding (before the batch check).
Status lower_runtime_integers(Graph& graph);

// Merges an activation (Relu, LeakyRelu, Sigmoid, Tanh, Clip) into the Conv2D that
// feeds it when the conv's output has no other reader: one pass over memory, not two.
// Returns the number of fusions.
int fuse_conv_activation(Graph& graph);

}  // namespace toonbox
