// Normalization kernels (normalization.cu): InstanceNorm as one block per image and
// channel, two passes (mean, then the variance about it) reduced in float in shared
// memory, then the scaled write. T is float or __half; math in float.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace toonbox::cuda {

// x, y: n images of c channels with `spatial` elements each, channels innermost when
// `channels_last`; scale and bias: c values each.
template <typename T>
cudaError_t launch_instance_norm(const T* x, const T* scale, const T* bias, T* y, int64_t n,
                                 int64_t c, int64_t spatial, bool channels_last, float epsilon,
                                 cudaStream_t stream);

}  // namespace toonbox::cuda
