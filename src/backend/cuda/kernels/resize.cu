#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/resize.h"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

// Tap is ResizeTap (kNearest or bilinear) or CubicTap (kCubic).
template <typename T, bool kNhwc, bool kNearest, bool kCubic = false,
          typename Tap = backend::ResizeTap>
__global__ void resize_kernel(const T* __restrict__ x, T* __restrict__ y, ResizeDims d,
                              const Tap* __restrict__ y_taps, const Tap* __restrict__ x_taps,
                              int64_t total) {
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
    y[i] = from_float<T>(v);
  }
}

}  // namespace

template <typename T>
cudaError_t launch_resize(const T* x, T* y, const ResizeDims& d, const backend::ResizeTap* y_taps,
                          const backend::ResizeTap* x_taps, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(d.n) * d.c * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  const unsigned grid = grid_for(total, kThreads);
  if (d.nhwc && d.nearest)
    resize_kernel<T, true, true><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total);
  else if (d.nhwc)
    resize_kernel<T, true, false><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total);
  else if (d.nearest)
    resize_kernel<T, false, true><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total);
  else
    resize_kernel<T, false, false><<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total);
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
        <<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total);
  else
    resize_kernel<T, false, false, true, backend::CubicTap>
        <<<grid, kThreads, 0, stream>>>(x, y, d, y_taps, x_taps, total);
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
                                          cudaStream_t);
template cudaError_t launch_resize<__half>(const __half*, __half*, const ResizeDims&,
                                           const backend::ResizeTap*, const backend::ResizeTap*,
                                           cudaStream_t);

}  // namespace toonbox::cuda
