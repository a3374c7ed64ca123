// Kernels of the tensor ops (tensor_ops.cu): data movement through per-dim offset
// tables, block reductions, softmax, pooling, naive MatMul and ConvTranspose. The host
// (data_movement_steps.cc, reduction_steps.cc, conv_steps.cc) builds every table with
// the CPU backend's plans (backend/tensor_plans.h); kernels only index. T is float or
// __half; math in float.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace toonbox::cuda {

inline constexpr int kMaxGatherRank = 8;

// out element (i0..ir) reads x[sum_d tables[start[d] + i_d]]; a negative entry means `fill`.
struct GatherDims {
  int rank = 0;
  int64_t out_dims[kMaxGatherRank] = {};
  int64_t table_start[kMaxGatherRank] = {};
};
template <typename T>
cudaError_t launch_gather(const T* x, T* y, int64_t n, const GatherDims& dims,
                          const int64_t* tables, float fill, cudaStream_t stream);
// The same gather when the innermost dim's table is one contiguous run starting at
// `run_start` (offsets run_start, run_start + 1, ...): `rows` output rows of `row_len`
// elements, copied `vector` (8, 4, 2 or 1) at a time; the caller checks that every row's
// source start and both pointers are aligned to that many elements.
template <typename T>
cudaError_t launch_gather_rows(const T* x, T* y, int64_t rows, int64_t row_len, int vector,
                               const GatherDims& dims, const int64_t* tables, int64_t run_start,
                               float fill, cudaStream_t stream);

// y = cond != 0 ? a : b with numpy broadcasting: strides[k][d] is input k's (cond, a, b)
// stride along output dim d, 0 where it is broadcast.
struct WhereDims {
  int rank = 0;
  int64_t out_dims[kMaxGatherRank] = {};
  int64_t strides[3][kMaxGatherRank] = {};
};
template <typename T>
cudaError_t launch_where(const T* cond, const T* a, const T* b, T* y, int64_t n,
                         const WhereDims& dims, cudaStream_t stream);

// y[o * total + offset + j] = x[o * chunk + j] for o < outer, j < chunk (one Concat input).
template <typename T>
cudaError_t launch_copy_block(const T* x, T* y, int64_t outer, int64_t chunk, int64_t total,
                              int64_t offset, cudaStream_t stream);

// op: 0 mean, 1 sum, 2 max, 3 min (ReduceOp order). One block per output element.
template <typename T>
cudaError_t launch_reduce(const T* x, T* y, const int64_t* base, int64_t outputs,
                          const int64_t* members, int64_t count, int op, cudaStream_t stream);
// The same when every output's members are one contiguous run of `count` elements from
// its base (members[k] == k): no member table.
template <typename T>
cudaError_t launch_reduce_runs(const T* x, T* y, const int64_t* base, int64_t outputs, int64_t count,
                               int op, cudaStream_t stream);
// A reduction over the pixels of channels-last data (a global pool of NHWC): output
// n * channels + c reduces x[(n * count + k) * channels + c] over k < count. `partial`
// holds images * chunks * channels floats (reduce_strided_chunks says how many chunks).
int64_t reduce_strided_chunks(int64_t count);
template <typename T>
cudaError_t launch_reduce_strided(const T* x, T* y, float* partial, int64_t images, int64_t count,
                                  int64_t channels, int op, cudaStream_t stream);

template <typename T>
cudaError_t launch_softmax(const T* x, T* y, int64_t outer, int64_t len, int64_t inner,
                           cudaStream_t stream);

struct PoolDims {
  int64_t nc, h, w, out_h, out_w;
  int kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  bool max, count_include_pad;
};
template <typename T>
cudaError_t launch_pool(const T* x, T* y, const PoolDims& d, cudaStream_t stream);

struct ConvTransposeDims {
  int64_t n, c, h, w, o, out_h, out_w, og, kh, kw;
  int groups, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
};
template <typename T>
cudaError_t launch_conv_transpose(const T* x, const T* w, const T* bias, T* y,
                                  const ConvTransposeDims& d, cudaStream_t stream);

}  // namespace toonbox::cuda
