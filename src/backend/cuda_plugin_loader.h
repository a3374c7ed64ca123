// Host-side loading of the CUDA backend plugin. Lives in the always-built library so
// the CLI, device selection and the doctor can say precisely why CUDA is unusable.
#pragma once

#include <string>

#include "backend/cuda/plugin_api.h"
#include "core/status.h"

namespace toonbox::backend {

struct CudaPluginLoad {
  const cuda::PluginApi* api = nullptr;  // null when not loadable
  std::string path;                      // the plugin file tried last
  // Which layer failed, in user words: "CUDA backend not built (compiled without
  // nvcc)", "no NVIDIA driver: libcuda.so.1 not found", "cannot load the CUDA backend:
  // libcudnn.so.9: cannot open shared object file".
  std::string failure;
};

// Where the plugin is looked for: $TOONBOX_CUDA_PLUGIN if set, else next to the running
// executable (bin/libtoonbox_cuda.so), then ../lib/toonbox/. Loaded once per process.
const CudaPluginLoad& load_cuda_plugin();

// Free and total memory of cuda:`device_index` now (cudaMemGetInfo in the plugin); the
// loader's failure when the plugin cannot be loaded. A CUDA Backend answers the same
// through Backend::free_memory().
Status cuda_device_memory(int device_index, size_t* free_bytes, size_t* total_bytes);

// True when this binary was configured with the CUDA backend.
bool built_with_cuda();

}  // namespace toonbox::backend
