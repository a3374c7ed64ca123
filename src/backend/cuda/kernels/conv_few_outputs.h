// A tensor-core convolution for NHWC fp16 convs with few output channels (White-box's
// 7x7 32->3 output conv; conv_few_outputs.cc says when it is tried). cuDNN runs that
// conv at ~20 TFLOP/s on the H200 (issue 13's profile: 0.48 ms, a fifth of the whole
// model), because its implicit-GEMM tiles are built for many output channels.
//
// A block computes 128 neighbouring output pixels of one row against all (up to 8)
// output channels with mma.sync m16n8k16 (fp16 in, fp32 accumulate). Per kernel row it
// stages the input strip and the row's weights (pre-arranged [tap][8 outputs][C], outputs
// past k zero) in shared memory, padded so fragment loads hit distinct banks; each of
// its 4 warps then runs two 16-pixel tiles against every tap and 16-channel slice, one B
// fragment shared by both tiles. Bias and activation are applied in fp32 before the one
// rounding. (A first version read the fragments straight from global memory: 0.72 ms
// against cuDNN's 0.49 on the 1024² conv, bound by L1 wavefronts.)
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "graph/op.h"

namespace toonbox::cuda {

struct ConvFewOutputsDims {
  int n = 0, h = 0, w = 0, c = 0;  // input, NHWC; c a multiple of 16, <= 64
  int k = 0;                        // output channels, <= kConvFewOutputsMax
  int r = 0, s = 0;                 // kernel height, width (<= 9)
  int out_h = 0, out_w = 0;
  int pad_top = 0, pad_left = 0;    // stride 1, dilation 1
};

inline constexpr int kConvFewOutputsMax = 8;           // output channels
inline constexpr int kConvFewOutputsMaxChannels = 64;  // input channels (shared-memory tiles)
inline constexpr int kConvFewOutputsMaxWidth = 9;      // kernel width

// w: [r * s][8][c] fp16, outputs past k zero. bias: float32 [k] or null.
cudaError_t launch_conv_few_outputs(const __half* x, const __half* w, const float* bias, __half* y,
                                    const ConvFewOutputsDims& dims, graph::Activation activation,
                                    cudaStream_t stream);

}  // namespace toonbox::cuda
