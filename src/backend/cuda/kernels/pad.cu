#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/pad.h"

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

}  // namespace

template <typename T>
cudaError_t launch_pad(const T* x, T* y, const PadDims& d, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(d.n) * d.c * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  if (d.nhwc)
    pad_kernel<T, true><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, y, d, total);
  else
    pad_kernel<T, false><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, y, d, total);
  return cudaGetLastError();
}

template cudaError_t launch_pad<float>(const float*, float*, const PadDims&, cudaStream_t);
template cudaError_t launch_pad<__half>(const __half*, __half*, const PadDims&, cudaStream_t);

}  // namespace toonbox::cuda
