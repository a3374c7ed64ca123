// Fusion passes run after specialize(), before a backend compiles the graph.
#pragma once

#include "graph/graph.h"

namespace toonbox::compile {

// Merges an activation (Relu, LeakyRelu, Sigmoid, Tanh, Clip) into the Conv2D that
// feeds it when the conv's output has no other reader: one pass over memory, not two.
// Returns the number of fusions.
int fuse_conv_activation(graph::Graph& graph);

// Folds the normalization of Fourier transforms into the Dft ops (DftParams::scale): a
// Mul or Div by a constant scalar that is a Dft's only reader, and then the scale of a
// Dft fed only by another Dft moved to the first one (the transform is linear). Exports
// write torch's "ortho" 1/sqrt(H W) as a Mul after two unnormalized DFTs, whose spectrum
// is up to H W times its input: folded, the values stored between the ops are the
// normalized ones, which keeps an fp16 graph's spectral branch in range and saves a pass.
// Returns the number of scales folded or moved.
int fold_dft_scales(graph::Graph& graph);

}  // namespace toonbox::compile
