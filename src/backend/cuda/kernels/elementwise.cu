#include <cstdlib>

#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/elementwise.h"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

template <typename T, bool kVectorized>
__global__ void unary_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t n,
                             graph::UnaryOp op, float alpha, float beta) {
  const int64_t tid = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t done = 0;
  if constexpr (kVectorized) {
    using P = Pack<T, kVec>;
    const int64_t packs = n / kVec;
    const P* xv = reinterpret_cast<const P*>(x);
    P* yv = reinterpret_cast<P*>(y);
    for (int64_t i = tid; i < packs; i += stride) {
      P p = xv[i];
#pragma unroll
      for (int k = 0; k < kVec; ++k) p.v[k] = from_float<T>(apply_unary(op, to_float(p.v[k]), alpha, beta));
      yv[i] = p;
    }
    done = packs * kVec;
  }
  for (int64_t i = done + tid; i < n; i += stride)
    y[i] = from_float<T>(apply_unary(op, to_float(x[i]), alpha, beta));
}

// The two-input functions the same-shape and broadcast kernels apply.
struct BinaryFn {
  graph::BinaryOp op;
  __device__ float operator()(float a, float b) const { return apply_binary(op, a, b); }
};
struct PReluFn {
  __device__ float operator()(float x, float slope) const { return x < 0.f ? x * slope : x; }
};

template <typename T, bool kVectorized, typename F>
__global__ void binary_same_kernel(const T* __restrict__ a, const T* __restrict__ b,
                                   T* __restrict__ y, int64_t n, F op) {
  const int64_t tid = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t done = 0;
  if constexpr (kVectorized) {
    using P = Pack<T, kVec>;
    const int64_t packs = n / kVec;
    const P* av = reinterpret_cast<const P*>(a);
    const P* bv = reinterpret_cast<const P*>(b);
    P* yv = reinterpret_cast<P*>(y);
    for (int64_t i = tid; i < packs; i += stride) {
      const P pa = av[i], pb = bv[i];
      P out;
#pragma unroll
      for (int k = 0; k < kVec; ++k)
        out.v[k] = from_float<T>(op(to_float(pa.v[k]), to_float(pb.v[k])));
      yv[i] = out;
    }
    done = packs * kVec;
  }
  for (int64_t i = done + tid; i < n; i += stride)
    y[i] = from_float<T>(op(to_float(a[i]), to_float(b[i])));
}

// General broadcast: each thread turns its flat output index into per-dim coordinates
// (innermost last) and dots them with each input's strides. Index is int when the output
// has fewer than 2^31 elements (every input then has no more): 64-bit division costs
// several times the 32-bit one, and this loop divides once per dimension (issue 13's
// profile: the guided filter's broadcast divides ran at a sixth of the memory rate).
template <typename T, typename Index, typename F>
__global__ void binary_broadcast_kernel(const T* __restrict__ a, const T* __restrict__ b,
                                        T* __restrict__ y, Index n, BroadcastShape s, F op) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < n; i += stride) {
    Index rem = i, ia = 0, ib = 0;
#pragma unroll
    for (int d = kMaxBroadcastRank - 1; d >= 0; --d) {
      if (d >= s.rank) continue;
      const Index dim = static_cast<Index>(s.out_dims[d]);
      const Index q = rem / dim;
      const Index c = rem - q * dim;
      ia += c * static_cast<Index>(s.a_strides[d]);
      ib += c * static_cast<Index>(s.b_strides[d]);
      rem = q;
    }
    y[i] = from_float<T>(op(to_float(a[ia]), to_float(b[ib])));
  }
}

// Broadcast whose innermost collapsed dim runs contiguously (stride 1) or not at all
// (stride 0) in each input and is a multiple of kVec long: each thread takes kVec
// outputs of one row, unflattens the row once, and loads a pack (stride 1) or one value
// (stride 0) per input. The per-channel PRelu / bias of an NCHW network is this shape
// (rows of H*W against one slope each); the element kernel above ran it at a quarter of
// the memory rate (realesr-animevideov3 at 1080p: 0.59 ms per PRelu, 17 of them).
template <typename T, typename F>
__global__ void binary_broadcast_rows_kernel(const T* __restrict__ a, const T* __restrict__ b,
                                             T* __restrict__ y, int packs, BroadcastShape s, F op) {
  using P = Pack<T, kVec>;
  const int inner = static_cast<int>(s.out_dims[s.rank - 1]);
  const bool a_runs = s.a_strides[s.rank - 1] == 1, b_runs = s.b_strides[s.rank - 1] == 1;
  const int stride = gridDim.x * blockDim.x;
  for (int p = blockIdx.x * blockDim.x + threadIdx.x; p < packs; p += stride) {
    const int i = p * kVec;
    int rem = i / inner;
    const int c = i - rem * inner;
    int ia = 0, ib = 0;
#pragma unroll
    for (int d = kMaxBroadcastRank - 2; d >= 0; --d) {
      if (d >= s.rank - 1) continue;
      const int dim = static_cast<int>(s.out_dims[d]);
      const int q = rem / dim;
      const int k = rem - q * dim;
      ia += k * static_cast<int>(s.a_strides[d]);
      ib += k * static_cast<int>(s.b_strides[d]);
      rem = q;
    }
    P pa, pb, out;
    if (a_runs) pa = *reinterpret_cast<const P*>(a + ia + c);
    if (b_runs) pb = *reinterpret_cast<const P*>(b + ib + c);
    const float sa = a_runs ? 0.f : to_float(a[ia]), sb = b_runs ? 0.f : to_float(b[ib]);
#pragma unroll
    for (int k = 0; k < kVec; ++k)
      out.v[k] = from_float<T>(op(a_runs ? to_float(pa.v[k]) : sa, b_runs ? to_float(pb.v[k]) : sb));
    *reinterpret_cast<P*>(y + i) = out;
  }
}

// TOONBOX_CUDA_BROADCAST_ROWS=0 keeps every broadcast on the element kernel (tests compare).
// Read at each launch (a few per graph capture), so a test can switch it between compiles.
bool broadcast_rows_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_BROADCAST_ROWS");
  return v == nullptr || v[0] != '0';
}

// Whether binary_broadcast_rows_kernel takes the shape: 32-bit indices, an inner dim of
// whole packs, stride 0 or 1 there, and every pack of an input that runs aligned.
template <typename T>
bool broadcast_rows_fit(const T* a, const T* b, const T* y, int64_t n, const BroadcastShape& s) {
  if (!fits_int32(n) || s.rank < 2 || s.out_dims[s.rank - 1] % kVec != 0) return false;
  if (!is_aligned(y, sizeof(T) * kVec)) return false;
  const int64_t* strides[2] = {s.a_strides, s.b_strides};
  const T* ptrs[2] = {a, b};
  for (int k = 0; k < 2; ++k) {
    const int64_t inner = strides[k][s.rank - 1];
    if (inner != 0 && inner != 1) return false;
    if (inner == 1) {
      if (!is_aligned(ptrs[k], sizeof(T) * kVec)) return false;
      for (int d = 0; d < s.rank - 1; ++d)
        if (strides[k][d] % kVec != 0) return false;
    }
  }
  return true;
}

template <typename T, typename F>
cudaError_t launch_two_input(const T* a, const T* b, T* y, int64_t n, const BroadcastShape& shape,
                             F op, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  if (shape.same_shape()) {
    const bool vec = is_aligned(a, sizeof(T) * kVec) && is_aligned(b, sizeof(T) * kVec) &&
                     is_aligned(y, sizeof(T) * kVec);
    const unsigned grid = grid_for(vec ? (n + kVec - 1) / kVec : n, kThreads);
    if (vec) binary_same_kernel<T, true><<<grid, kThreads, 0, stream>>>(a, b, y, n, op);
    else binary_same_kernel<T, false><<<grid, kThreads, 0, stream>>>(a, b, y, n, op);
  } else if (broadcast_rows_enabled() && broadcast_rows_fit(a, b, y, n, shape)) {
    const int packs = static_cast<int>(n / kVec);
    binary_broadcast_rows_kernel<T><<<grid_for(packs, kThreads), kThreads, 0, stream>>>(a, b, y, packs, shape, op);
  } else {
    const unsigned grid = grid_for(n, kThreads);
    if (fits_int32(n))
      binary_broadcast_kernel<T, int><<<grid, kThreads, 0, stream>>>(a, b, y, static_cast<int>(n), shape, op);
    else
      binary_broadcast_kernel<T, int64_t><<<grid, kThreads, 0, stream>>>(a, b, y, n, shape, op);
  }
  return cudaGetLastError();
}

}  // namespace

template <typename T>
cudaError_t launch_unary(const T* x, T* y, int64_t n, graph::UnaryOp op, float alpha, float beta,
                         cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  const bool vec = is_aligned(x, sizeof(T) * kVec) && is_aligned(y, sizeof(T) * kVec);
  const unsigned grid = grid_for(vec ? (n + kVec - 1) / kVec : n, kThreads);
  if (vec) unary_kernel<T, true><<<grid, kThreads, 0, stream>>>(x, y, n, op, alpha, beta);
  else unary_kernel<T, false><<<grid, kThreads, 0, stream>>>(x, y, n, op, alpha, beta);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_binary(const T* a, const T* b, T* y, int64_t n, const BroadcastShape& shape,
                          graph::BinaryOp op, cudaStream_t stream) {
  return launch_two_input(a, b, y, n, shape, BinaryFn{op}, stream);
}

template <typename T>
cudaError_t launch_prelu(const T* x, const T* slope, T* y, int64_t n, const BroadcastShape& shape,
                         cudaStream_t stream) {
  return launch_two_input(x, slope, y, n, shape, PReluFn{}, stream);
}

template cudaError_t launch_unary<float>(const float*, float*, int64_t, graph::UnaryOp, float,
                                         float, cudaStream_t);
template cudaError_t launch_unary<__half>(const __half*, __half*, int64_t, graph::UnaryOp, float,
                                          float, cudaStream_t);
template cudaError_t launch_binary<float>(const float*, const float*, float*, int64_t,
                                          const BroadcastShape&, graph::BinaryOp, cudaStream_t);
template cudaError_t launch_binary<__half>(const __half*, const __half*, __half*, int64_t,
                                           const BroadcastShape&, graph::BinaryOp, cudaStream_t);
template cudaError_t launch_prelu<float>(const float*, const float*, float*, int64_t,
                                         const BroadcastShape&, cudaStream_t);
template cudaError_t launch_prelu<__half>(const __half*, const __half*, __half*, int64_t,
                                          const BroadcastShape&, cudaStream_t);

}  // namespace toonbox::cuda
