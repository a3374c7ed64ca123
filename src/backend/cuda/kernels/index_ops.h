// Kernels of the index ops (index_ops.cu): ArgMax along one axis (the index written as
// a value of the storage type: exact below 2^11 in half) and ScatterElements (indices
// read as exact floats; out-of-range indices are skipped). T is float or __half.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace toonbox::cuda {

// x element (o, k, i) sits at (o * len + k) * inner + i; y[o * inner + i] = best k.
template <typename T>
cudaError_t launch_arg_max(const T* x, T* y, int64_t outer, int64_t len, int64_t inner,
                           bool select_min, bool select_last, cudaStream_t stream);

// y[base[i] + wrap(indices[i]) * axis_stride] = updates[i] for i < n (y already holds data).
template <typename T>
cudaError_t launch_scatter_elements(const T* indices, const T* updates, T* y, int64_t n,
                                    const int64_t* base, int64_t axis_stride, int64_t axis_dim,
                                    cudaStream_t stream);

}  // namespace toonbox::cuda
