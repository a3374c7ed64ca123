// Whether this build carries machine code (or PTX) the current device can run.
#pragma once

#include <cuda_runtime.h>

namespace toonbox::cuda {

// cudaSuccess when a kernel of this plugin can run on the current device;
// cudaErrorNoKernelImageForDevice (or another error) when not.
cudaError_t check_kernel_image();

}  // namespace toonbox::cuda
