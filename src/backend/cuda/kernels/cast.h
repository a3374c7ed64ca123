// float32 <-> float16 conversion on the device (cast.cu): inputs arrive as float32 and
// outputs leave as float32 whatever precision the graph runs in.
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace toonbox::cuda {

cudaError_t launch_cast_f32_to_f16(const float* x, __half* y, int64_t n, cudaStream_t stream);
cudaError_t launch_cast_f16_to_f32(const __half* x, float* y, int64_t n, cudaStream_t stream);

}  // namespace toonbox::cuda
