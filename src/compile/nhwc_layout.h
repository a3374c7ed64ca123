// Runs an NCHW graph's convolutions, and the ops between them, in NHWC (channels last).
// ncnn and ONNX models are NCHW; on the GPU cuDNN's fp16 and TF32 tensor-core convs are
// much faster in NHWC (a 64->64 3x3 conv at 1080p: 0.70 ms NHWC against 1.17 ms NCHW in
// PyTorch on the H200), which is what PyTorch's channels_last buys. The pass is
// the classic layout propagation: every NCHW Conv2D becomes NHWC, every op that can run
// on channels-last data (elementwise, PRelu, Resize, DepthToSpace, Pad, Slice, Concat,
// Reduce with kept dims, ...) follows when one of its inputs is already channels last, and
// a Transpose is inserted only where a value crosses between the two (the graph's input
// and output, an op that cannot follow). Constants read by converted ops (per-channel
// slopes, SE-style broadcast operands, pads) are permuted at compile time; conv weights
// stay OIHW, as the IR requires for either layout. Graph inputs and outputs keep their
// NCHW shapes, so callers see no difference.
#pragma once

#include "graph/graph.h"

namespace toonbox::compile {

struct NhwcLayoutResult {
  int convs = 0;          // Conv2Ds now NHWC
  int followers = 0;      // other ops now running on channels-last data
  int transposes = 0;     // inserted at the boundaries
  double transposed_elements = 0;  // what those transposes move, per run
  double conv_output_elements = 0; // what the converted convs write, per run
  bool applied = false;   // false: the graph was left unchanged (see convert_to_nhwc)
};

// Converts `g` (a specialized graph: concrete shapes, padding resolved) in place when that
// pays: at least one NCHW conv, and the boundary transposes moving at most a quarter of
// what the converted convs write (a graph that keeps leaving channels-last for ops that
// cannot follow, such as LaMa's Fourier units, would spend more on transposes than the
// convs gain). Otherwise `g` is unchanged and `applied` is false. TOONBOX_NHWC=0 turns the
// pass off, =1 drops the cost rule.
NhwcLayoutResult convert_to_nhwc(graph::Graph& g);

}  // namespace toonbox::compile
