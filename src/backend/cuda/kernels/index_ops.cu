#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/index_ops.h"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void arg_max_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t outer,
                               int64_t len, int64_t inner, bool select_min, bool select_last) {
  const int64_t rows = outer * inner;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; r < rows;
       r += stride) {
    const int64_t o = r / inner, i = r - o * inner;
    const T* row = x + o * len * inner + i;
    int64_t best = 0;
    float best_v = to_float(row[0]);
    for (int64_t k = 1; k < len; ++k) {
      const float v = to_float(row[k * inner]);
      const bool better = select_min ? (v < best_v || (select_last && v == best_v))
                                     : (v > best_v || (select_last && v == best_v));
      if (better) {
        best = k;
        best_v = v;
      }
    }
    y[r] = from_float<T>(static_cast<float>(best));
  }
}

template <typename T>
__global__ void scatter_kernel(const T* __restrict__ indices, const T* __restrict__ updates,
                               T* __restrict__ y, int64_t n, const int64_t* __restrict__ base,
                               int64_t axis_stride, int64_t axis_dim) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += stride) {
    int64_t k = static_cast<int64_t>(to_float(indices[i]));
    if (k < 0) k += axis_dim;
    if (k < 0 || k >= axis_dim) continue;
    y[base[i] + k * axis_stride] = updates[i];
  }
}

}  // namespace

template <typename T>
cudaError_t launch_arg_max(const T* x, T* y, int64_t outer, int64_t len, int64_t inner,
                           bool select_min, bool select_last, cudaStream_t stream) {
  if (outer * inner <= 0) return cudaSuccess;
  arg_max_kernel<T><<<grid_for(outer * inner, kThreads), kThreads, 0, stream>>>(
      x, y, outer, len, inner, select_min, select_last);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_scatter_elements(const T* indices, const T* updates, T* y, int64_t n,
                                    const int64_t* base, int64_t axis_stride, int64_t axis_dim,
                                    cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  scatter_kernel<T><<<grid_for(n, kThreads), kThreads, 0, stream>>>(indices, updates, y, n, base,
                                                                    axis_stride, axis_dim);
  return cudaGetLastError();
}

#define TB_INSTANTIATE(T)                                                                          \
  template cudaError_t launch_arg_max<T>(const T*, T*, int64_t, int64_t, int64_t, bool, bool,      \
                                         cudaStream_t);                                            \
  template cudaError_t launch_scatter_elements<T>(const T*, const T*, T*, int64_t, const int64_t*, \
                                                  int64_t, int64_t, cudaStream_t);
TB_INSTANTIATE(float)
TB_INSTANTIATE(__half)
#undef TB_INSTANTIATE

}  // namespace toonbox::cuda
