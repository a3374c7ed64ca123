// A depthwise conv followed by a Divide of its output (the guided filter's box means:
// box(x) / N, N the window count per pixel; White-box divides six times at 1024² x 3) as
// one step: the direct depthwise kernel divides before it stores, so the box sums are
// never written and read back (issue 13's profile: the six divides took 0.12 ms beside
// 0.14 ms for the six box filters).
//
// The Div need not follow the conv in the node order (TF exports interleave them); the
// fused step runs at the conv's place and writes the Div's output there, so that output
// is kept from the conv's step on (depthwise_div_lifetimes), and its divisor must exist
// by then (produced before the conv, a constant or a graph input).
#pragma once

#include <vector>

#include "compile/memory_planner.h"
#include "graph/graph.h"

namespace toonbox::cuda {

// Per node: for a depthwise conv fused with the Div that is the only reader of its
// output, that Div's index; else -1. The conv: NHWC, one input channel per group (the
// direct kernel's row path); the Div: conv output / a value of shape [1 or N, H, W, 1 or
// C] (or a single element) whose producer runs before the conv; the Div's output shaped
// like the conv's. `taken` marks nodes another fusion already uses.
std::vector<int> depthwise_div_pairs(const graph::Graph& graph, const std::vector<int>& taken);

// The arena requests with each fused Div's output written from its conv's step on.
void depthwise_div_lifetimes(const graph::Graph& graph, const std::vector<int>& pairs,
                             std::vector<compile::BufferRequest>* requests);

// The strides that read the divisor of output (n, pixel, channel): 0 along a broadcast
// dimension. Only for a pair depthwise_div_pairs chose.
struct DivisorStrides {
  long long image = 0;
  int pixel = 0, channel = 0;
};
DivisorStrides divisor_strides(const graph::Graph& graph, const graph::Node& div);

}  // namespace toonbox::cuda
