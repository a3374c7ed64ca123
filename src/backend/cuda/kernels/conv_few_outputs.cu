#include "backend/cuda/kernels/conv_few_outputs.h"

#include <cstdint>

#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kWarps = 4;
constexpr int kTilesPerWarp = 2;                          // 16-pixel mma tiles per warp
constexpr int kStripPixels = kWarps * kTilesPerWarp * 16;  // strip pixels per block: 128
constexpr int kMaxTiles = conv_few_outputs_tiles(kConvFewOutputsMaxWidth, kConvFewOutputsMax);
// Rows of the fp16 tiles hold a pixel's (or a column's) channels plus 8 halves of padding:
// 16-byte aligned, and the 8 rows a fragment load touches fall in distinct banks. Z's
// rows are an odd number of floats, so the sum phase (thread p reads row p + q) is free
// of bank conflicts.
__host__ __device__ constexpr int tile_row(int c) { return c + 8; }
__host__ __device__ constexpr int z_row(int tiles) { return tiles * 8 + 1; }

__device__ __forceinline__ uint32_t load_pair(const __half* p) { return *reinterpret_cast<const uint32_t*>(p); }

struct SharedLayout {
  int strip_halves, weight_halves, z_floats;
  __host__ __device__ SharedLayout(const ConvFewOutputsDims& d, int tiles)
      : strip_halves(kStripPixels * tile_row(d.c)),
        weight_halves(tiles * 8 * tile_row(d.c)),
        z_floats(kStripPixels * z_row(tiles)) {}
  // The fp16 tiles first (16-byte multiples), then Z.
  __host__ __device__ size_t bytes() const {
    return static_cast<size_t>(strip_halves + weight_halves) * 2 + static_cast<size_t>(z_floats) * 4;
  }
};

// One block: output row (n, oy), output pixels [ox0, ox0 + 128 - s + 1), all k outputs.
template <int kTiles>
__global__ void __launch_bounds__(kWarps * 32)
    conv_few_outputs_kernel(const __half* __restrict__ x, const __half* __restrict__ w,
                            const float* __restrict__ bias, __half* __restrict__ y,
                            ConvFewOutputsDims d, graph::Activation act) {
  extern __shared__ __align__(16) unsigned char shared[];
  const SharedLayout layout(d, kTiles);
  __half* strip = reinterpret_cast<__half*>(shared);
  __half* weights = strip + layout.strip_halves;
  float* z = reinterpret_cast<float*>(weights + layout.weight_halves);
  const int outputs_per_block = kStripPixels - d.s + 1;
  const int blocks_per_row = (d.out_w + outputs_per_block - 1) / outputs_per_block;
  const int row = blockIdx.x / blocks_per_row;  // n * out_h + oy
  const int ox0 = (blockIdx.x - row * blocks_per_row) * outputs_per_block;
  const int n = row / d.out_h, oy = row - n * d.out_h;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int g = lane >> 2, t = lane & 3;  // mma fragment coordinates: group, thread in group
  const int stride = tile_row(d.c);
  const int vectors = d.c / 8;  // 16-byte vectors per pixel
  const int x0 = ox0 - d.pad_left;
  constexpr int kZRow = z_row(kTiles);
  const int p = threadIdx.x;  // this thread's output pixel in the sum phase (p < outputs_per_block)

  float out[kConvFewOutputsMax];
#pragma unroll
  for (int o = 0; o < kConvFewOutputsMax; ++o) out[o] = bias && o < d.k ? bias[o] : 0.f;

  for (int r = 0; r < d.r; ++r) {
    const int iy = oy - d.pad_top + r;
    if (iy < 0 || iy >= d.h) continue;  // the same for the whole block
    const __half* in_row = x + (static_cast<int64_t>(n) * d.h + iy) * d.w * d.c;
    __syncthreads();  // the previous row's tiles and Z are no longer read
    for (int v = threadIdx.x; v < kStripPixels * vectors; v += blockDim.x) {
      const int q = v / vectors, part = v - q * vectors, ix = x0 + q;
      uint4 value = make_uint4(0, 0, 0, 0);
      if (ix >= 0 && ix < d.w) value = *reinterpret_cast<const uint4*>(in_row + static_cast<int64_t>(ix) * d.c + part * 8);
      *reinterpret_cast<uint4*>(strip + q * stride + part * 8) = value;
    }
    const __half* w_row = w + static_cast<int64_t>(r) * kTiles * 8 * d.c;
    for (int v = threadIdx.x; v < kTiles * 8 * vectors; v += blockDim.x) {
      const int line = v / vectors, part = v - line * vectors;
      *reinterpret_cast<uint4*>(weights + line * stride + part * 8) =
          *reinterpret_cast<const uint4*>(w_row + static_cast<int64_t>(line) * d.c + part * 8);
    }
    __syncthreads();

    // Z for this warp's two strip tiles, all column tiles.
    float acc[kTilesPerWarp][kTiles][4] = {};
    for (int cc = 0; cc < d.c; cc += 16) {
      uint32_t a[kTilesPerWarp][4];
#pragma unroll
      for (int i = 0; i < kTilesPerWarp; ++i) {
        const __half* pa = strip + ((warp * kTilesPerWarp + i) * 16 + g) * stride + 2 * t + cc;
        const __half* pb = pa + 8 * stride;
        a[i][0] = load_pair(pa);
        a[i][1] = load_pair(pb);
        a[i][2] = load_pair(pa + 8);
        a[i][3] = load_pair(pb + 8);
      }
#pragma unroll
      for (int j = 0; j < kTiles; ++j) {
        const __half* wb = weights + (j * 8 + g) * stride + 2 * t + cc;
        const uint32_t b0 = load_pair(wb), b1 = load_pair(wb + 8);
#pragma unroll
        for (int i = 0; i < kTilesPerWarp; ++i)
          asm volatile(
              "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
              "{%0,%1,%2,%3};\n"
              : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])
              : "r"(a[i][0]), "r"(a[i][1]), "r"(a[i][2]), "r"(a[i][3]), "r"(b0), "r"(b1));
      }
    }
    // C fragment: acc[i][j][0..1] are strip pixel g of tile i, columns j * 8 + 2t and + 1;
    // [2..3] pixel g + 8.
#pragma unroll
    for (int i = 0; i < kTilesPerWarp; ++i) {
      float* z0 = z + ((warp * kTilesPerWarp + i) * 16 + g) * kZRow + 2 * t;
      float* z8 = z0 + 8 * kZRow;
#pragma unroll
      for (int j = 0; j < kTiles; ++j) {
        z0[j * 8] = acc[i][j][0];
        z0[j * 8 + 1] = acc[i][j][1];
        z8[j * 8] = acc[i][j][2];
        z8[j * 8 + 1] = acc[i][j][3];
      }
    }
    __syncthreads();

    // Output pixel p reads strip pixels p .. p + s - 1, tap q's columns q k .. q k + k - 1.
    if (p < outputs_per_block) {
      for (int q = 0; q < d.s; ++q) {
        const float* zq = z + (p + q) * kZRow + q * d.k;
#pragma unroll
        for (int o = 0; o < kConvFewOutputsMax; ++o)
          if (o < d.k) out[o] += zq[o];
      }
    }
  }

  const int ox = ox0 + p;
  if (p < outputs_per_block && ox < d.out_w) {
    __half* dst = y + (static_cast<int64_t>(row) * d.out_w + ox) * d.k;
#pragma unroll
    for (int o = 0; o < kConvFewOutputsMax; ++o)
      if (o < d.k) dst[o] = __float2half_rn(apply_unary(act.op, out[o], act.alpha, act.beta));
  }
}

template <int kTiles>
cudaError_t launch_tiles(const __half* x, const __half* w, const float* bias, __half* y,
                         const ConvFewOutputsDims& d, graph::Activation activation, cudaStream_t stream,
                         unsigned blocks) {
  conv_few_outputs_kernel<kTiles>
      <<<blocks, kWarps * 32, SharedLayout(d, kTiles).bytes(), stream>>>(x, w, bias, y, d, activation);
  return cudaGetLastError();
}

template <int kTiles>
cudaError_t allow_shared(const ConvFewOutputsDims& d) {
  return cudaFuncSetAttribute(conv_few_outputs_kernel<kTiles>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                              static_cast<int>(SharedLayout(d, kTiles).bytes()));
}

}  // namespace

cudaError_t prepare_conv_few_outputs(const ConvFewOutputsDims& d) {
  if (SharedLayout(d, conv_few_outputs_tiles(d.s, d.k)).bytes() <= 48 * 1024) return cudaSuccess;
  switch (conv_few_outputs_tiles(d.s, d.k)) {
    case 1: return allow_shared<1>(d);
    case 2: return allow_shared<2>(d);
    case 3: return allow_shared<3>(d);
    case 4: return allow_shared<4>(d);
    case 5: return allow_shared<5>(d);
    case 6: return allow_shared<6>(d);
    case 7: return allow_shared<7>(d);
    case 8: return allow_shared<8>(d);
    default: return allow_shared<kMaxTiles>(d);
  }
}

cudaError_t launch_conv_few_outputs(const __half* x, const __half* w, const float* bias, __half* y,
                                    const ConvFewOutputsDims& d, graph::Activation activation,
                                    cudaStream_t stream) {
  if (d.c % 16 != 0 || d.c > kConvFewOutputsMaxChannels || d.s > kConvFewOutputsMaxWidth || d.k > kConvFewOutputsMax ||
      d.k < 1 || d.s < 1)
    return cudaErrorInvalidValue;
  const int outputs_per_block = kStripPixels - d.s + 1;
  const int64_t blocks =
      static_cast<int64_t>(d.n) * d.out_h * ((d.out_w + outputs_per_block - 1) / outputs_per_block);
  if (blocks <= 0) return cudaSuccess;
  if (blocks > 0x7fffffff) return cudaErrorInvalidConfiguration;
  const unsigned b = static_cast<unsigned>(blocks);
  switch (conv_few_outputs_tiles(d.s, d.k)) {
    case 1: return launch_tiles<1>(x, w, bias, y, d, activation, stream, b);
    case 2: return launch_tiles<2>(x, w, bias, y, d, activation, stream, b);
    case 3: return launch_tiles<3>(x, w, bias, y, d, activation, stream, b);
    case 4: return launch_tiles<4>(x, w, bias, y, d, activation, stream, b);
    case 5: return launch_tiles<5>(x, w, bias, y, d, activation, stream, b);
    case 6: return launch_tiles<6>(x, w, bias, y, d, activation, stream, b);
    case 7: return launch_tiles<7>(x, w, bias, y, d, activation, stream, b);
    case 8: return launch_tiles<8>(x, w, bias, y, d, activation, stream, b);
    default: return launch_tiles<kMaxTiles>(x, w, bias, y, d, activation, stream, b);
  }
}

}  // namespace toonbox::cuda
