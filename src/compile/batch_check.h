// Whether a specialized graph keeps the images of a batch apart.
//
// Models declare their input batch as 1 ([1,-1,-1,3]); binding N > 1 is only correct
// when no op mixes or reshapes across dim 0. Shape inference alone cannot tell: a
// Reshape to a constant [1,-1,C] or a Reduce over every axis happily infers a shape for
// N > 1 and silently blends the images. So after specialize() binds N we check every
// run-time value and op, and refuse with the node's name when the batch would not be
// independent; the caller then runs the images one at a time.
#pragma once

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::compile {

// Ok when every non-constant value has dim 0 == `batch` and no op reduces, slices,
// concatenates, gathers, transposes or contracts along dim 0 (each op's batch rule in
// the op table, ops/op_defs.h).
Status check_batch_independent(const graph::Graph& specialized, int64_t batch);

// ONNX exporters bake the batch of 1 into Reshape shape constants (AnimeGANv3:
// [1,C,1,1] -> constant [1,1,1,C]). For batch 1 such a Reshape is per image by
// definition, so when its input carries `batch` in dim 0 and its constant target starts
// with 1 and holds exactly one image's elements, the target is rewritten to start with
// `batch` (a new constant; the original may be shared). Returns whether it did. Run
// before the node's shape inference; check_batch_independent() still checks the rest.
bool lift_reshape_batch(graph::Graph& graph, graph::Node& node, int64_t batch);

}  // namespace toonbox::compile
