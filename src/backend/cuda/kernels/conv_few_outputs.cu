#include "backend/cuda/kernels/conv_few_outputs.h"

#include <cstdint>

#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kWarps = 4;
constexpr int kTilesPerWarp = 2;                          // 16-pixel mma tiles per warp
constexpr int kBlockPixels = kWarps * kTilesPerWarp * 16;  // output pixels per block: 128
// A row of the shared tiles holds one pixel's (or one output's) channels plus 8 halves of
// padding: 16-byte aligned, and the 8 pixels a fragment load touches fall in distinct banks.
__host__ __device__ constexpr int tile_row(int c) { return c + 8; }
constexpr int kStripMax = kBlockPixels + kConvFewOutputsMaxWidth - 1;

__device__ __forceinline__ uint32_t load_pair(const __half* p) { return *reinterpret_cast<const uint32_t*>(p); }

__device__ __forceinline__ void store_output(__half* y, const ConvFewOutputsDims& d, int64_t pixel,
                                             int ox, int channel, float v, const float* bias,
                                             graph::Activation act) {
  if (ox >= d.out_w || channel >= d.k) return;
  if (bias) v += bias[channel];
  y[pixel * d.k + channel] = __float2half_rn(apply_unary(act.op, v, act.alpha, act.beta));
}

// One block: output row (n, oy), pixels [ox0, ox0 + 128). For each kernel row it stages
// the input strip (128 + s - 1 pixels, zero outside the image) and that row's weights in
// shared memory, then every warp runs its two tiles against every tap and channel slice.
__global__ void __launch_bounds__(kWarps * 32)
    conv_few_outputs_kernel(const __half* __restrict__ x, const __half* __restrict__ w,
                            const float* __restrict__ bias, __half* __restrict__ y,
                            ConvFewOutputsDims d, graph::Activation act) {
  __shared__ __align__(16) __half strip[kStripMax * tile_row(kConvFewOutputsMaxChannels)];
  __shared__ __align__(16) __half weights[kConvFewOutputsMaxWidth * kConvFewOutputsMax *
                                          tile_row(kConvFewOutputsMaxChannels)];
  const int blocks_per_row = (d.out_w + kBlockPixels - 1) / kBlockPixels;
  const int row = blockIdx.x / blocks_per_row;  // n * out_h + oy
  const int ox0 = (blockIdx.x - row * blocks_per_row) * kBlockPixels;
  const int n = row / d.out_h, oy = row - n * d.out_h;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int g = lane >> 2, t = lane & 3;  // mma fragment coordinates: group, thread in group
  const int stride = tile_row(d.c);
  const int strip_pixels = kBlockPixels + d.s - 1;
  const int vectors = d.c / 8;  // 16-byte vectors per pixel
  const int x0 = ox0 - d.pad_left;
  float acc[kTilesPerWarp][4] = {};
  for (int r = 0; r < d.r; ++r) {
    const int iy = oy - d.pad_top + r;
    if (iy < 0 || iy >= d.h) continue;  // the same for the whole block
    const __half* in_row = x + (static_cast<int64_t>(n) * d.h + iy) * d.w * d.c;
    __syncthreads();  // the previous row's tiles are no longer read
    for (int v = threadIdx.x; v < strip_pixels * vectors; v += blockDim.x) {
      const int p = v / vectors, part = v - p * vectors, ix = x0 + p;
      uint4 value = make_uint4(0, 0, 0, 0);
      if (ix >= 0 && ix < d.w) value = *reinterpret_cast<const uint4*>(in_row + static_cast<int64_t>(ix) * d.c + part * 8);
      *reinterpret_cast<uint4*>(strip + p * stride + part * 8) = value;
    }
    const __half* w_row = w + static_cast<int64_t>(r) * d.s * kConvFewOutputsMax * d.c;
    for (int v = threadIdx.x; v < d.s * kConvFewOutputsMax * vectors; v += blockDim.x) {
      const int line = v / vectors, part = v - line * vectors;
      *reinterpret_cast<uint4*>(weights + line * stride + part * 8) =
          *reinterpret_cast<const uint4*>(w_row + static_cast<int64_t>(line) * d.c + part * 8);
    }
    __syncthreads();
    for (int s = 0; s < d.s; ++s) {
      const __half* wb = weights + (s * kConvFewOutputsMax + g) * stride + 2 * t;
      for (int cc = 0; cc < d.c; cc += 16) {
        const uint32_t b0 = load_pair(wb + cc), b1 = load_pair(wb + cc + 8);
#pragma unroll
        for (int i = 0; i < kTilesPerWarp; ++i) {
          const __half* pa = strip + ((warp * kTilesPerWarp + i) * 16 + g + s) * stride + 2 * t + cc;
          const __half* pb = pa + 8 * stride;
          const uint32_t a0 = load_pair(pa), a1 = load_pair(pb), a2 = load_pair(pa + 8), a3 = load_pair(pb + 8);
          asm volatile(
              "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
              "{%0,%1,%2,%3};\n"
              : "+f"(acc[i][0]), "+f"(acc[i][1]), "+f"(acc[i][2]), "+f"(acc[i][3])
              : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
        }
      }
    }
  }
  // C fragment: acc[i][0..1] are pixel g of tile i, outputs 2t and 2t + 1; [2..3] pixel g + 8.
#pragma unroll
  for (int i = 0; i < kTilesPerWarp; ++i) {
    const int ox = ox0 + (warp * kTilesPerWarp + i) * 16 + g;
    const int64_t pixel = static_cast<int64_t>(row) * d.out_w + ox;
    store_output(y, d, pixel, ox, 2 * t, acc[i][0], bias, act);
    store_output(y, d, pixel, ox, 2 * t + 1, acc[i][1], bias, act);
    store_output(y, d, pixel + 8, ox + 8, 2 * t, acc[i][2], bias, act);
    store_output(y, d, pixel + 8, ox + 8, 2 * t + 1, acc[i][3], bias, act);
  }
}

}  // namespace

cudaError_t launch_conv_few_outputs(const __half* x, const __half* w, const float* bias, __half* y,
                                    const ConvFewOutputsDims& d, graph::Activation activation,
                                    cudaStream_t stream) {
  if (d.c % 16 != 0 || d.c > kConvFewOutputsMaxChannels || d.s > kConvFewOutputsMaxWidth || d.k > kConvFewOutputsMax)
    return cudaErrorInvalidValue;
  const int64_t blocks = static_cast<int64_t>(d.n) * d.out_h * ((d.out_w + kBlockPixels - 1) / kBlockPixels);
  if (blocks <= 0) return cudaSuccess;
  if (blocks > 0x7fffffff) return cudaErrorInvalidConfiguration;
  conv_few_outputs_kernel<<<static_cast<unsigned>(blocks), kWarps * 32, 0, stream>>>(x, w, bias, y, d, activation);
  return cudaGetLastError();
}

}  // namespace toonbox::cuda
