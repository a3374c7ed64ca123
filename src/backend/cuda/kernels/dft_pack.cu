#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/dft_pack.h"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

unsigned blocks_for(int64_t count) {
  return static_cast<unsigned>((count + kThreads - 1) / kThreads);
}

template <typename T>
__global__ void dft_pack_kernel(const T* __restrict__ x, float2* __restrict__ lines, DftLayout d) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= d.outer * d.inner * d.n) return;
  const int64_t t = idx % d.n, l = idx / d.n, o = l / d.inner, i = l - o * d.inner;
  int64_t src = t;
  bool conj = false;
  if (d.hermitian && t > d.n / 2) {  // X[n - k] = conj(X[k])
    src = d.n - t;
    conj = true;
  }
  float2 v = make_float2(0.f, 0.f);
  if (src < d.in_len && (!d.hermitian || src <= d.n / 2)) {
    const int64_t at = ((o * d.in_len + src) * d.inner + i) * d.in_components;
    v.x = to_float(x[at]);
    if (d.in_components == 2) v.y = to_float(x[at + 1]);
    if (conj) v.y = -v.y;
  }
  lines[idx] = v;
}

template <typename T>
__global__ void dft_unpack_kernel(const float2* __restrict__ lines, T* __restrict__ y, DftLayout d,
                                  float scale) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= d.outer * d.out_len * d.inner) return;
  // idx runs over the output in its own order: [outer, out_len, inner].
  const int64_t i = idx % d.inner, rest = idx / d.inner, k = rest % d.out_len, o = rest / d.out_len;
  const float2 v = lines[(o * d.inner + i) * d.n + k];
  y[idx * d.out_components] = from_float<T>(v.x * scale);
  if (d.out_components == 2) y[idx * 2 + 1] = from_float<T>(v.y * scale);
}

}  // namespace

template <typename T>
cudaError_t launch_dft_pack(const T* x, float2* lines, DftLayout d, cudaStream_t stream) {
  const int64_t count = d.outer * d.inner * d.n;
  if (count <= 0) return cudaSuccess;
  dft_pack_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(x, lines, d);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_dft_unpack(const float2* lines, T* y, DftLayout d, float scale,
                              cudaStream_t stream) {
  const int64_t count = d.outer * d.out_len * d.inner;
  if (count <= 0) return cudaSuccess;
  dft_unpack_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(lines, y, d, scale);
  return cudaGetLastError();
}

template cudaError_t launch_dft_pack<float>(const float*, float2*, DftLayout, cudaStream_t);
template cudaError_t launch_dft_pack<__half>(const __half*, float2*, DftLayout, cudaStream_t);
template cudaError_t launch_dft_unpack<float>(const float2*, float*, DftLayout, float,
                                              cudaStream_t);
template cudaError_t launch_dft_unpack<__half>(const float2*, __half*, DftLayout, float,
                                               cudaStream_t);

}  // namespace toonbox::cuda
