#include "backend/cuda/kernels/bias_activation.h"
#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void bias_activation_kernel(T* __restrict__ y, const float* __restrict__ bias, int64_t n,
                                       int channels, int64_t inner, graph::UnaryOp op, float alpha,
                                       float beta) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += stride) {
    float v = to_float(y[i]);
    if (bias) v += bias[(i / inner) % channels];
    y[i] = from_float<T>(apply_unary(op, v, alpha, beta));
  }
}

// NHWC with channels % kVec == 0: the kVec elements of a pack share one pixel and take
// consecutive channels, so the bias is read as a pack too.
template <typename T>
__global__ void bias_activation_nhwc_vec_kernel(T* __restrict__ y, const float* __restrict__ bias,
                                                int64_t packs, int channels, graph::UnaryOp op,
                                                float alpha, float beta) {
  using P = Pack<T, kVec>;
  P* yv = reinterpret_cast<P*>(y);
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < packs;
       i += stride) {
    P p = yv[i];
    const int c0 = static_cast<int>((i * kVec) % channels);
#pragma unroll
    for (int k = 0; k < kVec; ++k) {
      float v = to_float(p.v[k]);
      if (bias) v += bias[c0 + k];
      p.v[k] = from_float<T>(apply_unary(op, v, alpha, beta));
    }
    yv[i] = p;
  }
}

}  // namespace

template <typename T>
cudaError_t launch_bias_activation(T* y, const float* bias, int64_t n, int channels, int64_t inner,
                                   graph::UnaryOp op, float alpha, float beta,
                                   cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  if (inner == 1 && channels % kVec == 0 && n % kVec == 0 && is_aligned(y, sizeof(T) * kVec)) {
    const int64_t packs = n / kVec;
    bias_activation_nhwc_vec_kernel<T><<<grid_for(packs, kThreads), kThreads, 0, stream>>>(
        y, bias, packs, channels, op, alpha, beta);
  } else {
    bias_activation_kernel<T><<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        y, bias, n, channels, inner, op, alpha, beta);
  }
  return cudaGetLastError();
}

template cudaError_t launch_bias_activation<float>(float*, const float*, int64_t, int, int64_t,
                                                   graph::UnaryOp, float, float, cudaStream_t);
template cudaError_t launch_bias_activation<__half>(__half*, const float*, int64_t, int, int64_t,
                                                    graph::UnaryOp, float, float, cudaStream_t);

}  // namespace toonbox::cuda
