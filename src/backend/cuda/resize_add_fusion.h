// Resize followed by the Add of a skip connection (White-box's decoder: upsample x2,
// then + the encoder's feature map) as one kernel: the resize writes its sum with the
// addend straight into the Add's output, so the upsampled map is never stored and read
// back (1024x1024x32 fp16: 64 MB each way; issue 13's profile had the Add at 0.057 ms
// after its resize). Chosen per node pair before the arena is planned, because the
// fused step reads the resize's input while it writes the Add's output: the input must
// stay alive through the Add (fused_pair_lifetimes).
#pragma once

#include <vector>

#include "compile/memory_planner.h"
#include "graph/graph.h"

namespace toonbox::cuda {

// Per node: for a Resize fused with the Add right after it, that Add's index; else -1.
// A pair: node i is a bilinear or nearest Resize whose only reader is node i + 1, a
// Binary Add of that output and a value of the same shape, and the resize output is not
// a graph output.
std::vector<int> resize_add_pairs(const graph::Graph& graph);

// The arena requests with each fused resize's input kept alive through its Add.
void fused_pair_lifetimes(const graph::Graph& graph, const std::vector<int>& pairs,
                          std::vector<compile::BufferRequest>* requests);

}  // namespace toonbox::cuda
