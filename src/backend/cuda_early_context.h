// Starting a CUDA device's context while the plugin loads.
#pragma once

namespace toonbox::backend {

// Creating cuda:`device_index`'s primary context (cuInit, then the context: most of the
// ~235 ms CUDA takes to start on an H200) needs only the driver, and loading the plugin
// with cuDNN and cuBLAS (~80 ms) needs no context, so this starts the first on a thread
// of its own and returns at once; the CUDA runtime then takes up the context it finds.
// Through the driver API (dlsym on libcuda.so.1): without a driver, or for a device that
// does not exist, it does nothing, and the runtime's own start reports the problem. The
// context stays retained for the life of the process, as the runtime's would. Once per
// device; the process waits for these threads before it exits.
void start_cuda_context_early(int device_index);

}  // namespace toonbox::backend
