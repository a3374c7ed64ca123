#include "backend/cuda/kernels/conv_direct.h"
#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

template <typename T, bool kNhwc>
__global__ void conv_direct_kernel(const T* __restrict__ x, const T* __restrict__ w,
                                   const float* __restrict__ bias, T* __restrict__ y,
                                   ConvDirectDims d, graph::Activation act, int64_t total) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int k_per_group = d.k / d.groups;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total; i += stride) {
    const ImageIndex p = unflatten_image_index<kNhwc>(i, d.k, d.out_h, d.out_w);
    const int k = p.c, ox = p.x, oy = p.y;
    const int64_t n = p.n;
    const int c0 = (k / k_per_group) * d.cg;
    float acc = bias ? bias[k] : 0.f;
    for (int c = 0; c < d.cg; ++c) {
      for (int r = 0; r < d.r; ++r) {
        const int iy = oy * d.stride_h - d.pad_top + r * d.dilation_h;
        if (iy < 0 || iy >= d.h) continue;
        for (int s = 0; s < d.s; ++s) {
          const int ix = ox * d.stride_w - d.pad_left + s * d.dilation_w;
          if (ix < 0 || ix >= d.w) continue;
          const int64_t xi = image_offset<kNhwc>(n, c0 + c, iy, ix, d.c, d.h, d.w);
          const int64_t wi = ((static_cast<int64_t>(k) * d.cg + c) * d.r + r) * d.s + s;
          acc += to_float(x[xi]) * to_float(w[wi]);
        }
      }
    }
    y[i] = from_float<T>(apply_unary(act.op, acc, act.alpha, act.beta));
  }
}

}  // namespace

template <typename T>
cudaError_t launch_conv_direct(const T* x, const T* w, const float* bias, T* y,
                               const ConvDirectDims& d, graph::Activation activation,
                               cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(d.n) * d.k * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  if (d.nhwc)
    conv_direct_kernel<T, true><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, w, bias, y, d, activation, total);
  else
    conv_direct_kernel<T, false><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, w, bias, y, d, activation, total);
  return cudaGetLastError();
}

template cudaError_t launch_conv_direct<float>(const float*, const float*, const float*, float*,
                                               const ConvDirectDims&, graph::Activation,
                                               cudaStream_t);
template cudaError_t launch_conv_direct<__half>(const __half*, const __half*, const float*, __half*,
                                                const ConvDirectDims&, graph::Activation,
                                                cudaStream_t);

}  // namespace toonbox::cuda
