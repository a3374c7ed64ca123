#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/resize.h"

#include <algorithm>

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

// Tap is ResizeTap (kNearest or bilinear) or CubicTap (kCubic).
template <typename T, bool kNhwc, bool kNearest, bool kCubic = false,
          typename Tap = backend::ResizeTap>
__global__ void resize_kernel(const T* __restrict__ x, T* __restrict__ y, ResizeDims d,
                              const Tap* __restrict__ y_taps, const Tap* __restrict__ x_taps,
                              int64_t total, const T* __restrict__ addend) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += stride) {
    const ImageIndex p = unflatten_image_index<kNhwc>(i, d.c, d.out_h, d.out_w);
    const int c = p.c, ox = p.x, oy = p.y;
    const int64_t n = p.n;
    // Element (n, c, row, col) of the input.
    auto at = [&](int row, int col) -> float {
      return to_float(x[image_offset<kNhwc>(n, c, row, col, d.c, d.h, d.w)]);
    };
    const Tap ty = y_taps[oy], tx = x_taps[ox];
    float v;
    if (ty.outside || tx.outside) {
      v = d.extrapolation;
    } else if constexpr (kCubic) {
      v = 0.f;
#pragma unroll
      for (int r = 0; r < 4; ++r) {
        float row = 0.f;
#pragma unroll
        for (int k = 0; k < 4; ++k) row += tx.w[k] * at(ty.i[r], tx.i[k]);
        v += ty.w[r] * row;
      }
    } else if constexpr (kNearest) {
      v = at(ty.i0, tx.i0);
    } else {
      const float top = at(ty.i0, tx.i0) * (1.f - tx.w) + at(ty.i0, tx.i1) * tx.w;
      const float bottom = at(ty.i1, tx.i0) * (1.f - tx.w) + at(ty.i1, tx.i1) * tx.w;
      v = top * (1.f - ty.w) + bottom * ty.w;
    }
    if (addend) v += to_float(addend[i]);
    y[i] = from_float<T>(v);
  }
}

// NHWC bilinear or nearest, row by row: blockIdx.y walks the output rows (n, oy), the
// threads of a row its (x, channel pack) pairs, V channels moved with one vector load or
// store, 32-bit index arithmetic. The generic kernel above spends most of its time
// unflattening a 64-bit index per element (issue 13's profile: White-box's 1024x1024x32
// upsample at 0.27 ms, about 13 times its memory time). Same float arithmetic per
// element as the generic kernel, so the two agree exactly.
template <typename T, int V, bool kNearest>
__global__ void resize_nhwc_rows_kernel(const T* __restrict__ x, T* __restrict__ y, ResizeDims d,
                                        const backend::ResizeTap* __restrict__ y_taps,
                                        const backend::ResizeTap* __restrict__ x_taps,
                                        const T* __restrict__ addend) {
  using P = Pack<T, V>;
  const int packs_per_pixel = d.c / V;
  const int row_packs = d.out_w * packs_per_pixel;
  const int rows = d.n * d.out_h;
  const int64_t in_row = static_cast<int64_t>(d.w) * d.c;
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    const int n = row / d.out_h;
    const backend::ResizeTap ty = y_taps[row - n * d.out_h];
    const T* image = x + static_cast<int64_t>(n) * d.h * in_row;
    const T* top = image + ty.i0 * in_row;
    const T* bottom = image + ty.i1 * in_row;
    P* out_row = reinterpret_cast<P*>(y + static_cast<int64_t>(row) * d.out_w * d.c);
    const P* add_row = addend ? reinterpret_cast<const P*>(addend + static_cast<int64_t>(row) * d.out_w * d.c) : nullptr;
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < row_packs; j += gridDim.x * blockDim.x) {
      const int ox = j / packs_per_pixel;
      const int channel = (j - ox * packs_per_pixel) * V;
      const backend::ResizeTap tx = x_taps[ox];
      float v[V];
      if (ty.outside || tx.outside) {
#pragma unroll
        for (int k = 0; k < V; ++k) v[k] = d.extrapolation;
      } else if constexpr (kNearest) {
        const P a = *reinterpret_cast<const P*>(top + tx.i0 * d.c + channel);
#pragma unroll
        for (int k = 0; k < V; ++k) v[k] = to_float(a.v[k]);
      } else {
        const P a = *reinterpret_cast<const P*>(top + tx.i0 * d.c + channel);
        const P b = *reinterpret_cast<const P*>(top + tx.i1 * d.c + channel);
        const P c = *reinterpret_cast<const P*>(bottom + tx.i0 * d.c + channel);
        const P e = *reinterpret_cast<const P*>(bottom + tx.i1 * d.c + channel);
#pragma unroll
        for (int k = 0; k < V; ++k) {
          const float t = to_float(a.v[k]) * (1.f - tx.w) + to_float(b.v[k]) * tx.w;
          const float u = to_float(c.v[k]) * (1.f - tx.w) + to_float(e.v[k]) * tx.w;
          v[k] = t * (1.f - ty.w) + u * ty.w;
        }
      }
      if (add_row) {
        const P s = add_row[j];
#pragma unroll
        for (int k = 0; k < V; ++k) v[k] += to_float(s.v[k]);
      }
      P out;
#pragma unroll
      for (int k = 0; k < V; ++k) out.v[k] = from_float<T>(v[k]);
      out_row[j] = out;
    }
  }
}

template <typename T, int V>
cudaError_t launch_resize_nhwc_rows(const T* x, T* y, const ResizeDims& d,
                                    const backend::ResizeTap* y_taps,
                                    const backend::ResizeTap* x_taps, cudaStream_t stream,
                                    const T* addend) {
  const int row_packs = d.out_w * (d.c / V);
  const dim3 grid = rows_grid(row_packs, d.n * d.out_h, kThreads);
  if (d.nearest)
    resize_nhwc_rows_kernel<T, V, true><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, addend);
  else
    resize_nhwc_rows_kernel<T, V, false><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, addend);
  return cudaGetLastError();
}

// The row kernel's conditions: NHWC, 32-bit rows and row counts, and for V > 1 the
// channels a multiple of V with the buffers (and the addend) aligned to a pack.
template <typename T>
bool rows_kernel_fits(const T* x, const T* y, const ResizeDims& d, int v, const T* addend) {
  const int64_t row = static_cast<int64_t>(std::max(d.out_w, d.w)) * d.c;
  return d.nhwc && row < (1LL << 30) && static_cast<int64_t>(d.n) * d.out_h < (1LL << 30) && d.c % v == 0 &&
         is_aligned(x, sizeof(T) * v) && is_aligned(y, sizeof(T) * v) && is_aligned(addend, sizeof(T) * v);
}

}  // namespace

template <typename T>
cudaError_t launch_resize(const T* x, T* y, const ResizeDims& d, const backend::ResizeTap* y_taps,
                          const backend::ResizeTap* x_taps, cudaStream_t stream, const T* addend) {
  const int64_t total = static_cast<int64_t>(d.n) * d.c * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  // 16-byte packs: 8 halves or 4 floats.
  constexpr int kPack = 16 / sizeof(T);
  if (rows_kernel_fits(x, y, d, kPack, addend))
    return launch_resize_nhwc_rows<T, kPack>(x, y, d, y_taps, x_taps, stream, addend);
  if (rows_kernel_fits(x, y, d, 1, addend)) return launch_resize_nhwc_rows<T, 1>(x, y, d, y_taps, x_taps, stream, addend);
  const unsigned grid = grid_for(total, kThreads);
  if (d.nhwc && d.nearest)
    resize_kernel<T, true, true><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total, addend);
  else if (d.nhwc)
    resize_kernel<T, true, false><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total, addend);
  else if (d.nearest)
    resize_kernel<T, false, true><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total, addend);
  else
    resize_kernel<T, false, false><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total, addend);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_resize_cubic(const T* x, T* y, const ResizeDims& d,
                                const backend::CubicTap* y_taps, const backend::CubicTap* x_taps,
                                cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(d.n) * d.c * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  const unsigned grid = grid_for(total, kThreads);
  if (d.nhwc)
    resize_kernel<T, true, false, true, backend::CubicTap>
        <<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total, nullptr);
  else
    resize_kernel<T, false, false, true, backend::CubicTap>
        <<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total, nullptr);
  return cudaGetLastError();
}

template cudaError_t launch_resize_cubic<float>(const float*, float*, const ResizeDims&,
                                                const backend::CubicTap*, const backend::CubicTap*,
                                                cudaStream_t);
template cudaError_t launch_resize_cubic<__half>(const __half*, __half*, const ResizeDims&,
                                                 const backend::CubicTap*, const backend::CubicTap*,
                                                 cudaStream_t);
template cudaError_t launch_resize<float>(const float*, float*, const ResizeDims&,
                                          const backend::ResizeTap*, const backend::ResizeTap*,
                                          cudaStream_t, const float*);
template cudaError_t launch_resize<__half>(const __half*, __half*, const ResizeDims&,
                                           const backend::ResizeTap*, const backend::ResizeTap*,
                                           cudaStream_t, const __half*);

}  // namespace toonbox::cuda
