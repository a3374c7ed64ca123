// The built-in "classic" cartoon style: no downloaded weights, so the main job works on
// a fresh offline machine. It is a fixed graph of ordinary ops run by the same engine
// (and so on the same CPU and CUDA backends) as the neural models:
//   1. edge-preserving smoothing: two passes of a self-guided filter (box filters are
//      depthwise convolutions; the window-size map is a folded constant),
//   2. colour quantization: round(levels * x) / levels per channel,
//   3. line art: luma (1x1 conv) -> Gaussian blur -> Sobel -> magnitude -> soft threshold,
//   4. output = quantized colours darkened by the lines.
// Input and output follow the White-box convention: [1,H,W,3] NHWC RGB in [-1, 1].
#pragma once

#include "graph/graph.h"
#include "models/registry.h"  // kBuiltinStyleName

namespace toonbox::pipeline {

graph::Graph build_classic_cartoon_graph();

}  // namespace toonbox::pipeline
