// A tensor-core convolution for NHWC fp16 convs with few output channels (White-box's
// 7x7 32->3 output conv; conv_small_channels.cc says when it is tried). cuDNN runs that
// conv at ~20 TFLOP/s on the H200 (issue 13's profile: 0.48 ms, a fifth of the whole
// model), because its implicit-GEMM tiles are built for many output channels.
//
// The kernel swaps the GEMM's roles so that the tensor cores' N dimension is full: per
// kernel row r, Z[p][q * k + o] = sum_c x[iy][p][c] * w[o][c][r][q] for every pixel p of
// the block's input strip (M = strip pixels, N = the row's s taps times k outputs, K =
// channels), and then y[p][o] += sum_q Z[p + q][q * k + o]. A first version ran one
// 16x8x16 mma per tap with only k of its 8 columns used and read every A fragment once
// per tap: Nsight Compute had it at 72 % of the shared-memory (L1) throughput, 0.31 ms
// for the 1024² conv; here each A fragment serves all taps of the row.
//
// A block: 128 strip pixels (128 - s + 1 outputs) of one output row. Per kernel row it
// stages the strip (C halves per pixel) and the row's weights (pre-arranged
// [r][tiles * 8][C], column q * k + o, zero past s k) in shared memory, padded so fragment
// loads hit distinct banks; each of its 4 warps runs two 16-pixel tiles against all
// column tiles (mma.sync m16n8k16, fp16 in, fp32 accumulate), one B fragment shared by
// both, and writes Z in fp32; then each thread sums its pixel's taps into its k
// accumulators. Bias and activation are applied in fp32 before the one rounding.
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
// Column tiles of 8 for a kernel row: s taps times k outputs.
inline constexpr int conv_few_outputs_tiles(int s, int k) { return (s * k + 7) / 8; }

// Lets the kernel take the shared memory these dims need (above 48 KB a kernel must opt
// in; up to ~66 KB at 64 channels, 9 taps, 8 outputs). Once per device and dims, before
// the first launch and outside stream capture (the step's build).
cudaError_t prepare_conv_few_outputs(const ConvFewOutputsDims& dims);

// w: [r][conv_few_outputs_tiles(s, k) * 8][c] fp16, column q * k + o, zero past s k.
// bias: float32 [k] or null.
cudaError_t launch_conv_few_outputs(const __half* x, const __half* w, const float* bias, __half* y,
                                    const ConvFewOutputsDims& dims, graph::Activation activation,
                                    cudaStream_t stream);

}  // namespace toonbox::cuda
