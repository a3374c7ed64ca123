#include "backend/cuda/kernels/conv_few_inputs.h"

#include <cstdint>

#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kWarps = 4;
constexpr int kTilesPerWarp = 2;                          // 16-pixel mma tiles per warp
constexpr int kBlockPixels = kWarps * kTilesPerWarp * 16;  // output pixels per block: 128
constexpr int kMaxRow = conv_few_inputs_row(kConvFewInputsMaxKernel);
// A strip holds 4 halves per pixel: the block's pixels, the kernel's overhang, and slack
// so the padded reduction of the last pixel (kMaxRow halves) stays inside the array.
constexpr int kStripPixels = kBlockPixels + kMaxRow / 4;
constexpr int kStripHalves = kStripPixels * 4;
// Rows of the weight and output tiles are padded by 8 halves: 16-byte aligned, and the 8
// rows a fragment load touches fall in distinct banks.
constexpr int kWeightRow = kMaxRow + 8;
constexpr int kOutRow = kConvFewInputsMaxOutputs + 8;
// Output rows per block. The weights (up to 20 KB) are staged once per block; 4 rows per
// block, to stage them a quarter as often, measured 0.171 ms against 0.165 for one row
// at 1024² on the H200, so the kernel is not bound by that traffic.
constexpr int kRowsPerBlock = 1;

__device__ __forceinline__ uint32_t load_pair(const __half* p) { return *reinterpret_cast<const uint32_t*>(p); }

__device__ __forceinline__ void mma(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                    uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

// One block: kRowsPerBlock output rows (of the flattened n * out_h rows) at pixels
// [ox0, ox0 + 128), all NT * 8 output channels. The weights are staged once per block;
// each row then stages its strips, computes, and leaves through shared memory.
template <int NT>
__global__ void __launch_bounds__(kWarps * 32)
    conv_few_inputs_kernel(const __half* __restrict__ x, const __half* __restrict__ w,
                           const float* __restrict__ bias, __half* __restrict__ y, ConvFewInputsDims d,
                           graph::Activation act) {
  __shared__ __align__(16) __half strip[kConvFewInputsMaxKernel * kStripHalves];
  __shared__ __align__(16) __half weights[kConvFewInputsMaxKernel * kConvFewInputsMaxOutputs * kWeightRow];
  __shared__ __align__(16) __half out[kBlockPixels * kOutRow];
  constexpr int K = NT * 8;
  const int blocks_per_row = (d.out_w + kBlockPixels - 1) / kBlockPixels;
  const int group = blockIdx.x / blocks_per_row;
  const int ox0 = (blockIdx.x - group * blocks_per_row) * kBlockPixels;
  const int rows = d.n * d.out_h;
  const int x0 = ox0 - d.pad_left;
  const int row_len = conv_few_inputs_row(d.s);
  const int strip_pixels = kBlockPixels + d.s - 1;
  const int pixels = min(kBlockPixels, d.out_w - ox0);

  const int vectors = row_len / 8;
  for (int v = threadIdx.x; v < d.r * K * vectors; v += blockDim.x) {
    const int line = v / vectors, part = v - line * vectors;
    *reinterpret_cast<uint4*>(weights + line * kWeightRow + part * 8) =
        *reinterpret_cast<const uint4*>(w + static_cast<int64_t>(line) * row_len + part * 8);
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int g = lane >> 2, t = lane & 3;  // mma fragment coordinates: group, thread in group
  const int reduction = 4 * d.s;          // real elements of a row; past it the mask zeroes A

  for (int row = group * kRowsPerBlock; row < min(rows, (group + 1) * kRowsPerBlock); ++row) {
    const int n = row / d.out_h, oy = row - n * d.out_h;
    __syncthreads();  // the previous row's strips and output tile are no longer read
    // Every kernel row's strip at once (zero outside the image and in the 4th channel).
    for (int i = threadIdx.x; i < d.r * kStripPixels; i += blockDim.x) {
      const int r = i / kStripPixels, p = i - r * kStripPixels;
      const int iy = oy - d.pad_top + r, ix = x0 + p;
      __half v[4] = {__ushort_as_half(0), __ushort_as_half(0), __ushort_as_half(0), __ushort_as_half(0)};
      if (p < strip_pixels && iy >= 0 && iy < d.h && ix >= 0 && ix < d.w) {
        const __half* src = x + ((static_cast<int64_t>(n) * d.h + iy) * d.w + ix) * d.c;
        for (int c = 0; c < d.c; ++c) v[c] = src[c];
      }
      *reinterpret_cast<uint2*>(strip + r * kStripHalves + p * 4) = *reinterpret_cast<const uint2*>(v);
    }
    __syncthreads();

    float acc[kTilesPerWarp][NT][4] = {};
    for (int r = 0; r < d.r; ++r) {
      const int iy = oy - d.pad_top + r;
      if (iy < 0 || iy >= d.h) continue;  // the same for the whole block: the strip is zero
      const __half* strip_r = strip + r * kStripHalves;
      const __half* weights_r = weights + r * K * kWeightRow;
      for (int ks = 0; ks < row_len; ks += 16) {
        const uint32_t mask_lo = ks + 2 * t < reduction ? 0xffffffffu : 0u;
        const uint32_t mask_hi = ks + 2 * t + 8 < reduction ? 0xffffffffu : 0u;
        uint32_t b[NT][2];
#pragma unroll
        for (int j = 0; j < NT; ++j) {
          const __half* wb = weights_r + (j * 8 + g) * kWeightRow + ks + 2 * t;
          b[j][0] = load_pair(wb);
          b[j][1] = load_pair(wb + 8);
        }
#pragma unroll
        for (int i = 0; i < kTilesPerWarp; ++i) {
          const __half* pa = strip_r + ((warp * kTilesPerWarp + i) * 16 + g) * 4 + ks + 2 * t;
          const __half* pb = pa + 8 * 4;  // pixel g + 8
          const uint32_t a0 = load_pair(pa) & mask_lo, a1 = load_pair(pb) & mask_lo;
          const uint32_t a2 = load_pair(pa + 8) & mask_hi, a3 = load_pair(pb + 8) & mask_hi;
#pragma unroll
          for (int j = 0; j < NT; ++j) mma(acc[i][j], a0, a1, a2, a3, b[j][0], b[j][1]);
        }
      }
    }

    // C fragment: acc[i][j][0..1] are pixel g of tile i, outputs j * 8 + 2t and + 1;
    // [2..3] pixel g + 8. Through shared memory, so that the row's outputs (contiguous in
    // NHWC) leave in 16-byte stores.
#pragma unroll
    for (int i = 0; i < kTilesPerWarp; ++i) {
      const int p = (warp * kTilesPerWarp + i) * 16 + g;
#pragma unroll
      for (int j = 0; j < NT; ++j) {
        const int ch = j * 8 + 2 * t;
        const float b0 = bias ? bias[ch] : 0.f, b1 = bias ? bias[ch + 1] : 0.f;
        *reinterpret_cast<__half2*>(out + p * kOutRow + ch) =
            __floats2half2_rn(apply_unary(act.op, acc[i][j][0] + b0, act.alpha, act.beta),
                              apply_unary(act.op, acc[i][j][1] + b1, act.alpha, act.beta));
        *reinterpret_cast<__half2*>(out + (p + 8) * kOutRow + ch) =
            __floats2half2_rn(apply_unary(act.op, acc[i][j][2] + b0, act.alpha, act.beta),
                              apply_unary(act.op, acc[i][j][3] + b1, act.alpha, act.beta));
      }
    }
    __syncthreads();
    constexpr int kVectors = K / 8;
    __half* dst = y + (static_cast<int64_t>(row) * d.out_w + ox0) * K;
    for (int v = threadIdx.x; v < pixels * kVectors; v += blockDim.x) {
      const int p = v / kVectors, part = v - p * kVectors;
      *reinterpret_cast<uint4*>(dst + p * K + part * 8) = *reinterpret_cast<const uint4*>(out + p * kOutRow + part * 8);
    }
  }
}

}  // namespace

cudaError_t launch_conv_few_inputs(const __half* x, const __half* w, const float* bias, __half* y,
                                   const ConvFewInputsDims& d, graph::Activation activation,
                                   cudaStream_t stream) {
  if (d.c < 1 || d.c > kConvFewInputsMaxChannels || d.k % 8 != 0 || d.k < 8 || d.k > kConvFewInputsMaxOutputs ||
      d.r < 1 || d.r > kConvFewInputsMaxKernel || d.s < 1 || d.s > kConvFewInputsMaxKernel ||
      reinterpret_cast<uintptr_t>(y) % 16 != 0)
    return cudaErrorInvalidValue;
  const int64_t groups = (static_cast<int64_t>(d.n) * d.out_h + kRowsPerBlock - 1) / kRowsPerBlock;
  if (static_cast<int64_t>(d.n) * d.out_h > 0x7fffffff) return cudaErrorInvalidConfiguration;
  const int64_t blocks = groups * ((d.out_w + kBlockPixels - 1) / kBlockPixels);
  if (blocks <= 0) return cudaSuccess;
  if (blocks > 0x7fffffff) return cudaErrorInvalidConfiguration;
  const unsigned grid = static_cast<unsigned>(blocks);
  switch (d.k / 8) {
    case 1: conv_few_inputs_kernel<1><<<grid, kWarps * 32, 0, stream>>>(x, w, bias, y, d, activation); break;
    case 2: conv_few_inputs_kernel<2><<<grid, kWarps * 32, 0, stream>>>(x, w, bias, y, d, activation); break;
    case 3: conv_few_inputs_kernel<3><<<grid, kWarps * 32, 0, stream>>>(x, w, bias, y, d, activation); break;
    default: conv_few_inputs_kernel<4><<<grid, kWarps * 32, 0, stream>>>(x, w, bias, y, d, activation); break;
  }
  return cudaGetLastError();
}

}  // namespace toonbox::cuda
