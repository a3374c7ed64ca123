// A ConvTranspose (one group, no dilation) as the ordinary convolution it equals: the
// input with s-1 zeros inserted between pixels (Reshape -> Pad -> Reshape), padded by
// k-1-pad, convolved at stride 1 with the kernel flipped and its channel axes swapped.
// cuDNN and oneDNN run that with their tuned convolution kernels, where the backends'
// own ConvTranspose loops are naive (GPEN-512's seven stride-2 upsampling convolutions
// spent minutes in them on the CPU). The zeros cost s^2 more multiply-adds than an
// ideal transposed convolution; the tuned kernels more than make up for it.
//
// A strided one with the same stride on both axes takes the sub-pixel form instead
// (conv_transpose_lowering.cc: one conv with stride^2 times the outputs and
// ceil(k/stride)^2 taps, a DepthToSpace, a crop), which does exactly the transposed
// conv's multiply-adds and inserts no zeros. TOONBOX_SUB_PIXEL_DECONV=0 turns it off.
#pragma once

#include "graph/graph.h"

namespace toonbox::compile {

// Lowers every ConvTranspose with groups 1, dilation 1, resolved explicit pads and
// pads < kernel (so the equivalent padding is not negative); returns how many. Run after
// specialize() and rewrite_modulated_convs() (whose static kernels it then sees).
int lower_conv_transposes(graph::Graph& graph);

}  // namespace toonbox::compile
