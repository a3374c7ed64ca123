#include "backend/cuda/kernels/device_math.cuh"
#include "backend/cuda/kernels/tensor_ops.h"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

// Index is int when the output has fewer than 2^31 elements (fits_int32): the loop
// divides once per dimension, and 64-bit division costs several times the 32-bit one
// (Real-CUGAN's 1080p crops and zero insertions ran at a tenth of the memory rate).
template <typename T, typename Index>
__global__ void gather_kernel(const T* __restrict__ x, T* __restrict__ y, Index n, GatherDims d,
                              const int64_t* __restrict__ tables, float fill) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < n; i += stride) {
    Index rem = i;
    int64_t src = 0;
    bool pad = false;
    for (int k = d.rank - 1; k >= 0; --k) {
      const Index dim = static_cast<Index>(d.out_dims[k]);
      const Index q = rem / dim;
      const int64_t o = tables[d.table_start[k] + (rem - q * dim)];
      pad = pad || o < 0;
      src += o;
      rem = q;
    }
    y[i] = pad ? from_float<T>(fill) : x[src];
  }
}

// A gather whose innermost dim reads one contiguous run (a crop, a slice of whole rows):
// blockIdx.y walks the output rows, whose source start comes from the outer dims once per
// row, and the threads copy the run V elements per access.
template <typename T, int V>
__global__ void gather_rows_kernel(const T* __restrict__ x, T* __restrict__ y, int rows, int row_len,
                                   GatherDims d, const int64_t* __restrict__ tables,
                                   int64_t run_start, float fill) {
  using P = Pack<T, V>;
  P fill_pack;
#pragma unroll
  for (int k = 0; k < V; ++k) fill_pack.v[k] = from_float<T>(fill);
  const int packs = row_len / V;
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    int rem = row;
    int64_t src = run_start;
    bool pad = false;
    for (int k = d.rank - 2; k >= 0; --k) {
      const int dim = static_cast<int>(d.out_dims[k]);
      const int q = rem / dim;
      const int64_t o = tables[d.table_start[k] + (rem - q * dim)];
      pad = pad || o < 0;
      src += o;
      rem = q;
    }
    const P* in = reinterpret_cast<const P*>(x + src);
    P* out = reinterpret_cast<P*>(y + static_cast<int64_t>(row) * row_len);
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < packs; j += gridDim.x * blockDim.x)
      out[j] = pad ? fill_pack : in[j];
  }
}

template <typename T>
__global__ void copy_block_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t outer,
                                  int64_t chunk, int64_t total, int64_t offset) {
  const int64_t n = outer * chunk;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += stride) {
    const int64_t o = i / chunk, j = i - o * chunk;
    y[o * total + offset + j] = x[i];
  }
}

template <typename T>
__global__ void reduce_kernel(const T* __restrict__ x, T* __restrict__ y,
                              const int64_t* __restrict__ base, const int64_t* __restrict__ members,
                              int64_t count, int op) {
  __shared__ float partial[kThreads];
  const int64_t out = blockIdx.x;
  const T* b = x + base[out];
  float acc = op == 2 ? -INFINITY : (op == 3 ? INFINITY : 0.f);
  for (int64_t k = threadIdx.x; k < count; k += blockDim.x) {
    const float v = to_float(b[members[k]]);
    acc = op == 2 ? fmaxf(acc, v) : (op == 3 ? fminf(acc, v) : acc + v);
  }
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      const float o = partial[threadIdx.x + s];
      float& a = partial[threadIdx.x];
      a = op == 2 ? fmaxf(a, o) : (op == 3 ? fminf(a, o) : a + o);
    }
    __syncthreads();
  }
  if (threadIdx.x == 0)
    y[out] = from_float<T>(op == 0 ? partial[0] / static_cast<float>(count) : partial[0]);
}

// A reduction whose members are one contiguous run per output (a global average pool
// over H*W in NCHW: Real-CUGAN's SE blocks): 1024 threads per output read it kVec at a
// time with four loads in flight, and reduce through warp shuffles. The table-driven
// kernel above read an int64 offset per element on 256 threads, at a fortieth of the
// memory rate (4.7 ms for a [1,128,1094,1934] mean).
constexpr int kReduceRunThreads = 1024;

__device__ inline float reduce_pair(int op, float a, float b) {
  return op == 2 ? fmaxf(a, b) : (op == 3 ? fminf(a, b) : a + b);
}

template <typename T>
__global__ void __launch_bounds__(kReduceRunThreads)
    reduce_run_kernel(const T* __restrict__ x, T* __restrict__ y, const int64_t* __restrict__ base,
                      int64_t count, int op) {
  using P = Pack<T, kVec>;
  const T* run = x + base[blockIdx.x];
  const float identity = op == 2 ? -INFINITY : (op == 3 ? INFINITY : 0.f);
  float acc = identity;
  // Elements before the first aligned pack, then whole packs, then the tail.
  const int64_t misaligned = (reinterpret_cast<uintptr_t>(run) / sizeof(T)) % kVec;
  int64_t head = misaligned == 0 ? 0 : kVec - misaligned;
  if (head > count) head = count;
  for (int64_t k = threadIdx.x; k < head; k += blockDim.x) acc = reduce_pair(op, acc, to_float(run[k]));
  const P* packs = reinterpret_cast<const P*>(run + head);
  const int64_t n_packs = (count - head) / kVec;
  int64_t k = threadIdx.x;
  for (; k + 3 * blockDim.x < n_packs; k += 4 * blockDim.x) {
    P v[4];
#pragma unroll
    for (int u = 0; u < 4; ++u) v[u] = packs[k + u * blockDim.x];
#pragma unroll
    for (int u = 0; u < 4; ++u)
#pragma unroll
      for (int e = 0; e < kVec; ++e) acc = reduce_pair(op, acc, to_float(v[u].v[e]));
  }
  for (; k < n_packs; k += blockDim.x) {
    const P v = packs[k];
#pragma unroll
    for (int e = 0; e < kVec; ++e) acc = reduce_pair(op, acc, to_float(v.v[e]));
  }
  for (int64_t t = head + n_packs * kVec + threadIdx.x; t < count; t += blockDim.x)
    acc = reduce_pair(op, acc, to_float(run[t]));
  for (int offset = 16; offset > 0; offset >>= 1)
    acc = reduce_pair(op, acc, __shfl_down_sync(0xffffffffu, acc, offset));
  __shared__ float warps[kReduceRunThreads / 32];
  if (threadIdx.x % 32 == 0) warps[threadIdx.x / 32] = acc;
  __syncthreads();
  if (threadIdx.x < 32) {
    acc = threadIdx.x < blockDim.x / 32 ? warps[threadIdx.x] : identity;
    for (int offset = 16; offset > 0; offset >>= 1)
      acc = reduce_pair(op, acc, __shfl_down_sync(0xffffffffu, acc, offset));
    if (threadIdx.x == 0) y[blockIdx.x] = from_float<T>(op == 0 ? acc / static_cast<float>(count) : acc);
  }
}

// The global pool of channels-last data (Real-CUGAN's SE blocks once the graph runs NHWC,
// compile/nhwc_layout.h). One block per output, as above, would read each output's
// members `channels` apart on only N*C blocks. Instead a warp reads 32 neighbouring
// channels of one pixel (coalesced), blocks of 8 warps each take a chunk of the pixels of
// 32 channels, and write one float partial per chunk and channel; a second kernel reduces
// the chunks.
constexpr int kStridedWarps = 8;

__device__ inline float reduce_identity(int op) { return op == 2 ? -INFINITY : (op == 3 ? INFINITY : 0.f); }

template <typename T>
__global__ void __launch_bounds__(32 * kStridedWarps)
    reduce_strided_partial_kernel(const T* __restrict__ x, float* __restrict__ partial, int64_t count,
                                  int64_t channels, int64_t chunks, int op) {
  const int64_t c = blockIdx.x * 32 + threadIdx.x;
  const int64_t n = blockIdx.z, chunk = blockIdx.y;
  const int64_t per = (count + chunks - 1) / chunks;
  const int64_t k0 = chunk * per, k1 = min(count, k0 + per);
  float acc = reduce_identity(op);
  if (c < channels) {
    const T* base = x + n * count * channels + c;
    for (int64_t k = k0 + threadIdx.y; k < k1; k += kStridedWarps)
      acc = reduce_pair(op, acc, to_float(base[k * channels]));
  }
  __shared__ float warps[kStridedWarps][33];
  warps[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && c < channels) {
    for (int j = 1; j < kStridedWarps; ++j) acc = reduce_pair(op, acc, warps[j][threadIdx.x]);
    partial[(n * chunks + chunk) * channels + c] = acc;
  }
}

template <typename T>
__global__ void reduce_strided_final_kernel(const float* __restrict__ partial, T* __restrict__ y,
                                            int64_t outputs, int64_t count, int64_t channels,
                                            int64_t chunks, int op) {
  const int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (o >= outputs) return;
  const int64_t n = o / channels, c = o - n * channels;
  float acc = reduce_identity(op);
  for (int64_t j = 0; j < chunks; ++j) acc = reduce_pair(op, acc, partial[(n * chunks + j) * channels + c]);
  y[o] = from_float<T>(op == 0 ? acc / static_cast<float>(count) : acc);
}

template <typename T>
__global__ void softmax_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t outer,
                               int64_t len, int64_t inner) {
  const int64_t rows = outer * inner;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t r = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; r < rows;
       r += stride) {
    const int64_t o = r / inner, i = r - o * inner;
    const T* src = x + o * len * inner + i;
    T* dst = y + o * len * inner + i;
    float mx = -INFINITY;
    for (int64_t k = 0; k < len; ++k) mx = fmaxf(mx, to_float(src[k * inner]));
    float sum = 0.f;
    for (int64_t k = 0; k < len; ++k) sum += expf(to_float(src[k * inner]) - mx);
    const float inv = 1.f / sum;
    for (int64_t k = 0; k < len; ++k)
      dst[k * inner] = from_float<T>(expf(to_float(src[k * inner]) - mx) * inv);
  }
}

template <typename T>
__global__ void pool_kernel(const T* __restrict__ x, T* __restrict__ y, PoolDims d) {
  const int64_t n = d.nc * d.out_h * d.out_w;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += stride) {
    const int64_t ow = i % d.out_w, oh = (i / d.out_w) % d.out_h, nc = i / (d.out_w * d.out_h);
    const T* plane = x + nc * d.h * d.w;
    const int64_t h0 = oh * d.stride_h - d.pad_top, w0 = ow * d.stride_w - d.pad_left;
    float mx = -INFINITY, sum = 0.f;
    int64_t count = 0;
    for (int kh = 0; kh < d.kernel_h; ++kh) {
      const int64_t ih = h0 + static_cast<int64_t>(kh) * d.dilation_h;
      if (ih < 0 || ih >= d.h) continue;
      for (int kw = 0; kw < d.kernel_w; ++kw) {
        const int64_t iw = w0 + static_cast<int64_t>(kw) * d.dilation_w;
        if (iw < 0 || iw >= d.w) continue;
        const float v = to_float(plane[ih * d.w + iw]);
        mx = fmaxf(mx, v);
        sum += v;
        ++count;
      }
    }
    float r = mx;
    if (!d.max) {
      if (d.count_include_pad) {
        const int64_t he =
            min(h0 + static_cast<int64_t>(d.kernel_h - 1) * d.dilation_h + 1, d.h + d.pad_bottom);
        const int64_t we =
            min(w0 + static_cast<int64_t>(d.kernel_w - 1) * d.dilation_w + 1, d.w + d.pad_right);
        count = ((he - h0 + d.dilation_h - 1) / d.dilation_h) *
                ((we - w0 + d.dilation_w - 1) / d.dilation_w);
      }
      r = count > 0 ? sum / static_cast<float>(count) : 0.f;
    }
    y[i] = from_float<T>(r);
  }
}

template <typename T>
__global__ void conv_transpose_kernel(const T* __restrict__ x, const T* __restrict__ w,
                                      const T* __restrict__ bias, T* __restrict__ y,
                                      ConvTransposeDims d) {
  const int64_t total = d.n * d.o * d.out_h * d.out_w;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t cg = d.c / d.groups;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += stride) {
    const int64_t ow = i % d.out_w, oh = (i / d.out_w) % d.out_h,
                  o = (i / (d.out_w * d.out_h)) % d.o, nn = i / (d.out_w * d.out_h * d.o);
    const int64_t g = o / d.og, og = o % d.og;
    float acc = bias ? to_float(bias[o]) : 0.f;
    for (int64_t kh = 0; kh < d.kh; ++kh) {
      const int64_t th = oh + d.pad_top - kh * d.dilation_h;
      if (th < 0 || th % d.stride_h != 0) continue;
      const int64_t ih = th / d.stride_h;
      if (ih >= d.h) continue;
      for (int64_t kw = 0; kw < d.kw; ++kw) {
        const int64_t tw = ow + d.pad_left - kw * d.dilation_w;
        if (tw < 0 || tw % d.stride_w != 0) continue;
        const int64_t iw = tw / d.stride_w;
        if (iw >= d.w) continue;
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c)
          acc += to_float(x[((nn * d.c + c) * d.h + ih) * d.w + iw]) *
                 to_float(w[((c * d.og + og) * d.kh + kh) * d.kw + kw]);
      }
    }
    y[i] = from_float<T>(acc);
  }
}

}  // namespace

template <typename T>
cudaError_t launch_gather(const T* x, T* y, int64_t n, const GatherDims& dims,
                          const int64_t* tables, float fill, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  if (fits_int32(n)) {
    gather_kernel<T, int><<<grid_for(n, kThreads), kThreads, 0, stream>>>(x, y, static_cast<int>(n), dims,
                                                                         tables, fill);
  } else {
    gather_kernel<T, int64_t><<<grid_for(n, kThreads), kThreads, 0, stream>>>(x, y, n, dims, tables, fill);
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_gather_rows(const T* x, T* y, int64_t rows, int64_t row_len, int vector,
                               const GatherDims& dims, const int64_t* tables, int64_t run_start,
                               float fill, cudaStream_t stream) {
  if (rows <= 0 || row_len <= 0) return cudaSuccess;
  if (rows >= (1LL << 30) || row_len >= (1LL << 30) || row_len % vector != 0)
    return cudaErrorInvalidValue;
  const int r = static_cast<int>(rows), len = static_cast<int>(row_len);
  const dim3 grid = rows_grid(len / vector, r, kThreads);
  switch (vector) {
    case 8: gather_rows_kernel<T, 8><<<grid, kThreads, 0, stream>>>(x, y, r, len, dims, tables, run_start, fill); break;
    case 4: gather_rows_kernel<T, 4><<<grid, kThreads, 0, stream>>>(x, y, r, len, dims, tables, run_start, fill); break;
    case 2: gather_rows_kernel<T, 2><<<grid, kThreads, 0, stream>>>(x, y, r, len, dims, tables, run_start, fill); break;
    case 1: gather_rows_kernel<T, 1><<<grid, kThreads, 0, stream>>>(x, y, r, len, dims, tables, run_start, fill); break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

// Selects, never blends: a and b pass through bit for bit (NaN and inf included).
template <typename T>
__global__ void where_kernel(const T* __restrict__ cond, const T* __restrict__ a,
                             const T* __restrict__ b, T* __restrict__ y, int64_t n, WhereDims d) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += stride) {
    int64_t rem = i, oc = 0, oa = 0, ob = 0;
    for (int k = d.rank - 1; k >= 0; --k) {
      const int64_t q = rem / d.out_dims[k];
      const int64_t idx = rem - q * d.out_dims[k];
      oc += idx * d.strides[0][k];
      oa += idx * d.strides[1][k];
      ob += idx * d.strides[2][k];
      rem = q;
    }
    y[i] = to_float(cond[oc]) != 0.f ? a[oa] : b[ob];
  }
}

template <typename T>
cudaError_t launch_where(const T* cond, const T* a, const T* b, T* y, int64_t n,
                         const WhereDims& dims, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  where_kernel<T><<<grid_for(n, kThreads), kThreads, 0, stream>>>(cond, a, b, y, n, dims);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_copy_block(const T* x, T* y, int64_t outer, int64_t chunk, int64_t total,
                              int64_t offset, cudaStream_t stream) {
  if (outer * chunk <= 0) return cudaSuccess;
  copy_block_kernel<T><<<grid_for(outer * chunk, kThreads), kThreads, 0, stream>>>(
      x, y, outer, chunk, total, offset);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_reduce(const T* x, T* y, const int64_t* base, int64_t outputs,
                          const int64_t* members, int64_t count, int op, cudaStream_t stream) {
  if (outputs <= 0) return cudaSuccess;
  if (outputs > 0x7fffffff) return cudaErrorInvalidConfiguration;
  reduce_kernel<T>
      <<<static_cast<unsigned>(outputs), kThreads, 0, stream>>>(x, y, base, members, count, op);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_reduce_runs(const T* x, T* y, const int64_t* base, int64_t outputs, int64_t count,
                               int op, cudaStream_t stream) {
  if (outputs <= 0) return cudaSuccess;
  if (outputs > 0x7fffffff) return cudaErrorInvalidConfiguration;
  reduce_run_kernel<T><<<static_cast<unsigned>(outputs), kReduceRunThreads, 0, stream>>>(x, y, base, count, op);
  return cudaGetLastError();
}

// Enough chunks to fill the GPU with a few blocks per SM, each at least 256 pixels.
int64_t reduce_strided_chunks(int64_t count) {
  const int64_t chunks = (count + 255) / 256;
  return chunks < 1 ? 1 : (chunks > 512 ? 512 : chunks);
}

template <typename T>
cudaError_t launch_reduce_strided(const T* x, T* y, float* partial, int64_t images, int64_t count,
                                  int64_t channels, int op, cudaStream_t stream) {
  const int64_t outputs = images * channels;
  if (outputs <= 0 || count <= 0) return cudaSuccess;
  const int64_t chunks = reduce_strided_chunks(count);
  const int64_t groups = (channels + 31) / 32;
  if (groups > 0x7fffffff || images > 65535) return cudaErrorInvalidConfiguration;
  const dim3 grid(static_cast<unsigned>(groups), static_cast<unsigned>(chunks), static_cast<unsigned>(images));
  reduce_strided_partial_kernel<T><<<grid, dim3(32, kStridedWarps), 0, stream>>>(x, partial, count, channels, chunks, op);
  reduce_strided_final_kernel<T><<<grid_for(outputs, kThreads), kThreads, 0, stream>>>(partial, y, outputs, count,
                                                                                      channels, chunks, op);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_softmax(const T* x, T* y, int64_t outer, int64_t len, int64_t inner,
                           cudaStream_t stream) {
  if (outer * inner <= 0) return cudaSuccess;
  softmax_kernel<T>
      <<<grid_for(outer * inner, kThreads), kThreads, 0, stream>>>(x, y, outer, len, inner);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_pool(const T* x, T* y, const PoolDims& d, cudaStream_t stream) {
  const int64_t n = d.nc * d.out_h * d.out_w;
  if (n <= 0) return cudaSuccess;
  pool_kernel<T><<<grid_for(n, kThreads), kThreads, 0, stream>>>(x, y, d);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch_conv_transpose(const T* x, const T* w, const T* bias, T* y,
                                  const ConvTransposeDims& d, cudaStream_t stream) {
  const int64_t total = d.n * d.o * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  conv_transpose_kernel<T><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, w, bias, y, d);
  return cudaGetLastError();
}

#define TB_INSTANTIATE(T)                                                                         \
  template cudaError_t launch_gather<T>(const T*, T*, int64_t, const GatherDims&, const int64_t*, \
                                        float, cudaStream_t);                                     \
  template cudaError_t launch_gather_rows<T>(const T*, T*, int64_t, int64_t, int, const GatherDims&, \
                                             const int64_t*, int64_t, float, cudaStream_t);          \
  template cudaError_t launch_where<T>(const T*, const T*, const T*, T*, int64_t,                \
                                       const WhereDims&, cudaStream_t);                           \
  template cudaError_t launch_copy_block<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t,     \
                                            cudaStream_t);                                        \
  template cudaError_t launch_reduce<T>(const T*, T*, const int64_t*, int64_t, const int64_t*,    \
                                        int64_t, int, cudaStream_t);                              \
  template cudaError_t launch_reduce_runs<T>(const T*, T*, const int64_t*, int64_t, int64_t, int,   \
                                             cudaStream_t);                                          \
  template cudaError_t launch_reduce_strided<T>(const T*, T*, float*, int64_t, int64_t, int64_t, int, \
                                                cudaStream_t);                                       \
  template cudaError_t launch_softmax<T>(const T*, T*, int64_t, int64_t, int64_t, cudaStream_t);  \
  template cudaError_t launch_pool<T>(const T*, T*, const PoolDims&, cudaStream_t);               \
  template cudaError_t launch_conv_transpose<T>(const T*, const T*, const T*, T*,                 \
                                                const ConvTransposeDims&, cudaStream_t);
TB_INSTANTIATE(float)
TB_INSTANTIATE(__half)
#undef TB_INSTANTIATE

}  // namespace toonbox::cuda
