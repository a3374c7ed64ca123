// A tensor-core convolution for NHWC fp16 convs with few input channels (White-box's
// 7x7 3->32 input conv; conv_small_channels.cc says when it is tried). cuDNN runs that
// conv at ~33 TFLOP/s on the H200 (0.30 ms at 1024², the second slowest step of the
// model): with 3 channels its implicit GEMM has a reduction of only 147, and its tiles
// are built for many input channels.
//
// Seen as a GEMM, one kernel row r is a reduction over q * 4 + c (the s taps of the row
// times the channels, padded to 4 with zeros): for output pixel p those elements are the
// contiguous halves [p * 4, p * 4 + 4 s) of the row's input strip stored 4 halves per
// pixel. So a block stages the weights arranged [r][k][q * 4 + c] and, for its row of
// 128 output pixels, the strips of all r kernel rows (a few KB); every warp runs
// mma.sync m16n8k16 (fp16 in, fp32 accumulate) on two 16-pixel tiles against all output
// channels, A fragments loaded straight from the strip (4-byte aligned: every offset is
// even). Reduction elements past 4 s are masked to zero in the A fragment, so an Inf or
// NaN next to the window cannot leak in through a zero weight. Bias and activation are
// applied in fp32 before the one rounding, and the block's outputs leave through shared
// memory in 16-byte stores.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "graph/op.h"

namespace toonbox::cuda {

struct ConvFewInputsDims {
  int n = 0, h = 0, w = 0, c = 0;  // input, NHWC; c <= kConvFewInputsMaxChannels
  int k = 0;                        // output channels: a multiple of 8, <= kConvFewInputsMaxOutputs
  int r = 0, s = 0;                 // kernel height, width (<= kConvFewInputsMaxKernel)
  int out_h = 0, out_w = 0;
  int pad_top = 0, pad_left = 0;    // stride 1, dilation 1
};

inline constexpr int kConvFewInputsMaxChannels = 4;
inline constexpr int kConvFewInputsMaxOutputs = 32;
inline constexpr int kConvFewInputsMaxKernel = 8;
// The weights' row length in halves: 4 s rounded up to the 16-wide mma steps.
inline constexpr int conv_few_inputs_row(int s) { return (4 * s + 15) / 16 * 16; }

// w: [r][k][conv_few_inputs_row(s)] fp16, element q * 4 + c (zero for c >= dims.c and
// past 4 s). bias: float32 [k] or null. y: 16-byte aligned.
cudaError_t launch_conv_few_inputs(const __half* x, const __half* w, const float* bias, __half* y,
                                   const ConvFewInputsDims& dims, graph::Activation activation,
                                   cudaStream_t stream);

}  // namespace toonbox::cuda
