#include "backend/cuda/kernels/cast.h"
#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

template <typename From, typename To, bool kVectorized>
__global__ void cast_kernel(const From* __restrict__ x, To* __restrict__ y, int64_t n) {
  const int64_t tid = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t done = 0;
  if constexpr (kVectorized) {
    const int64_t packs = n / kVec;
    const auto* xv = reinterpret_cast<const Pack<From, kVec>*>(x);
    auto* yv = reinterpret_cast<Pack<To, kVec>*>(y);
    for (int64_t i = tid; i < packs; i += stride) {
      const Pack<From, kVec> p = xv[i];
      Pack<To, kVec> q;
#pragma unroll
      for (int k = 0; k < kVec; ++k) q.v[k] = from_float<To>(to_float(p.v[k]));
      yv[i] = q;
    }
    done = packs * kVec;
  }
  for (int64_t i = done + tid; i < n; i += stride) y[i] = from_float<To>(to_float(x[i]));
}

template <typename From, typename To>
cudaError_t launch_cast(const From* x, To* y, int64_t n, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  const bool vec = is_aligned(x, sizeof(From) * kVec) && is_aligned(y, sizeof(To) * kVec);
  const unsigned grid = grid_for(vec ? (n + kVec - 1) / kVec : n, kThreads);
  if (vec) cast_kernel<From, To, true><<<grid, kThreads, 0, stream>>>(x, y, n);
  else cast_kernel<From, To, false><<<grid, kThreads, 0, stream>>>(x, y, n);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launch_cast_f32_to_f16(const float* x, __half* y, int64_t n, cudaStream_t stream) {
  return launch_cast(x, y, n, stream);
}

cudaError_t launch_cast_f16_to_f32(const __half* x, float* y, int64_t n, cudaStream_t stream) {
  return launch_cast(x, y, n, stream);
}

}  // namespace toonbox::cuda
