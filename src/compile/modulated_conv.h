// StyleGAN2's modulated convolution (GPEN, GFPGAN, ...) as the exports write it: a
// kernel computed at run time, W[o,i,k] = C[o,i,k] * s[i] * d[o] (C constant, s the
// style's per-input-channel scale, d the demodulation 1/sqrt(sum W^2 + eps) per output
// channel, or absent), reshaped (and for the upsampling form transposed) into the
// weight of a Conv or ConvTranspose with the batch folded into groups. Backends need
// constant weights; this pass rewrites each such conv into
//
//   y = d[o] * conv(x * s[i], C)   (+ bias)
//
// which is the same sum reordered: a static convolution cuDNN/oneDNN run with their
// tuned kernels, an input scale before it and the demodulation on its output. The
// demodulation factors are still computed from the modulated kernel as the model
// wrote them (a Pow/ReduceSum over O x I x k x k per run), so the numbers agree with the
// direct form to float rounding (tests/unit/modulated_conv_test.cc).
#pragma once

#include "graph/graph.h"

namespace toonbox::compile {

// Rewrites every Conv2D (NCHW) and ConvTranspose of one group whose weight is a run-time
// product as above: the weight's chain of Reshape/Transpose nodes back to a Mul tree
// whose constant factors form C and whose run-time factors each vary along the input
// channel only or the output channel only. Convolutions that do not match are left as
// they are (a backend then refuses their run-time weight, naming the node). Run after
// specialize() (shapes known, constants folded). Returns the number rewritten.
int rewrite_modulated_convs(graph::Graph& graph);

}  // namespace toonbox::compile
