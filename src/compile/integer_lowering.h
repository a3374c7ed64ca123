// Run-time integer and bool data carried as exact floats, so backends need float kernels
// only. Part of specialize().
#pragma once

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::compile {

// Run-time (non-constant) bool and integer values become float32 holding the exact
// values (bool: 0 or 1; integers exact while |v| < 2^24, and < 2^11 = 2048 under fp16
// storage), so every backend runs Equal/Less/Greater/And/Or/Not, Cast and Where with its
// float kernels. Cast becomes a Unary: to an integer type from float kTrunc (toward zero,
// as ONNX Runtime), to bool kNonZero, anything else kIdentity. Constant non-float inputs
// of such nodes get float copies; parameter inputs (shapes, indices, pads) stay integers.
// Ops whose integer semantics differ from float arithmetic (Div, Pow, MatMul, Mean, ...)
// on run-time integers are an error naming the node. Called by specialize() after
// folding (before the batch check).
Status lower_runtime_integers(graph::Graph& graph);

}  // namespace toonbox::compile
