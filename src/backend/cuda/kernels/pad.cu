#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/pad.h"

#include <algorithm>

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

template <typename T, bool kNhwc>
__global__ void pad_kernel(const T* __restrict__ x, T* __restrict__ y, PadDims d, int64_t total) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += stride) {
    const ImageIndex p = unflatten_image_index<kNhwc>(i, d.c, d.out_h, d.out_w);
    const int c = p.c, ox = p.x, oy = p.y;
    const int64_t n = p.n;
    const int iy = oy - d.top, ix = ox - d.left;
    T v = from_float<T>(0.f);
    if (iy >= 0 && iy < d.h && ix >= 0 && ix < d.w) {
      v = x[image_offset<kNhwc>(n, c, iy, ix, d.c, d.h, d.w)];
    }
    y[i] = v;
  }
}

// NHWC, row by row (as resize.cu's row kernel): blockIdx.y walks the output rows, the
// threads of a row its (x, channel pack) pairs, V channels per 16-byte load/store, 32-bit
// index arithmetic. The generic kernel above unflattens a 64-bit index per element;
// White-box's stride-2 convs pad 512x512x64 inputs, which it took ~0.1 ms for.
template <typename T, int V>
__global__ void pad_nhwc_rows_kernel(const T* __restrict__ x, T* __restrict__ y, PadDims d) {
  using P = Pack<T, V>;
  const int packs_per_pixel = d.c / V;
  const int row_packs = d.out_w * packs_per_pixel;
  const int rows = d.n * d.out_h;
  P zero;
#pragma unroll
  for (int k = 0; k < V; ++k) zero.v[k] = from_float<T>(0.f);
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    const int n = row / d.out_h, iy = row - n * d.out_h - d.top;
    const bool row_in = iy >= 0 && iy < d.h;
    const P* in_row = reinterpret_cast<const P*>(x + (static_cast<int64_t>(n) * d.h + (row_in ? iy : 0)) * d.w * d.c);
    P* out_row = reinterpret_cast<P*>(y + static_cast<int64_t>(row) * d.out_w * d.c);
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < row_packs; j += gridDim.x * blockDim.x) {
      const int ox = j / packs_per_pixel, ix = ox - d.left;
      const bool in = row_in && ix >= 0 && ix < d.w;
      out_row[j] = in ? in_row[ix * packs_per_pixel + (j - ox * packs_per_pixel)] : zero;
    }
  }
}

template <typename T, int V>
cudaError_t launch_pad_rows(const T* x, T* y, const PadDims& d, cudaStream_t stream) {
  const int row_packs = d.out_w * (d.c / V);
  const dim3 grid = rows_grid(row_packs, d.n * d.out_h, kThreads);
  pad_nhwc_rows_kernel<T, V><<<grid, kThreads, 0, stream>>>(x, y, d);
  return cudaGetLastError();
}

template <typename T>
bool pad_rows_fit(const T* x, const T* y, const PadDims& d, int v) {
  return d.nhwc && static_cast<int64_t>(std::max(d.out_w, d.w)) * d.c < (1LL << 30) &&
         static_cast<int64_t>(d.n) * d.out_h < (1LL << 30) && d.c % v == 0 && is_aligned(x, sizeof(T) * v) &&
         is_aligned(y, sizeof(T) * v);
}

}  // namespace

template <typename T>
cudaError_t launch_pad(const T* x, T* y, const PadDims& d, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(d.n) * d.c * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  constexpr int kPack = 16 / sizeof(T);  // 8 halves or 4 floats
  if (pad_rows_fit(x, y, d, kPack)) return launch_pad_rows<T, kPack>(x, y, d, stream);
  if (pad_rows_fit(x, y, d, 1)) return launch_pad_rows<T, 1>(x, y, d, stream);
  if (d.nhwc)
    pad_kernel<T, true><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, y, d, total);
  else
    pad_kernel<T, false><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, y, d, total);
  return cudaGetLastError();
}

template cudaError_t launch_pad<float>(const float*, float*, const PadDims&, cudaStream_t);
template cudaError_t launch_pad<__half>(const __half*, __half*, const PadDims&, cudaStream_t);

}  // namespace toonbox::cuda
