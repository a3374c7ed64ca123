#include "backend/cuda_plugin_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/startup_trace.h"

namespace toonbox::backend {

bool built_with_cuda() {
#ifdef TOONBOX_BUILT_WITH_CUDA
  return true;
#else
  return false;
#endif
}

namespace {

std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::vector<std::string> candidate_paths() {
  if (const char* env = std::getenv("TOONBOX_CUDA_PLUGIN"); env && *env) return {env};
  const std::string dir = executable_dir();
  return {dir + "/libtoonbox_cuda.so", dir + "/../lib/toonbox/libtoonbox_cuda.so",
          // tests run from build/tests; the plugin sits in build/src/backend/cuda
          dir + "/../src/backend/cuda/libtoonbox_cuda.so"};
}

CudaPluginLoad load_once() {
  CudaPluginLoad r;
  if (!built_with_cuda() && !std::getenv("TOONBOX_CUDA_PLUGIN")) {
    r.failure = "CUDA backend not built (toonbox was compiled without nvcc/cuDNN)";
    return r;
  }
  // The driver first: without it nothing else matters, and the message is the one
  // users need ("install the NVIDIA driver"), not a plugin load error.
  if (void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL); driver == nullptr) {
    r.failure = "no NVIDIA driver: libcuda.so.1 not found";
    return r;
  }
  startup_mark("CUDA driver library loaded");
  std::string last_error = "plugin libtoonbox_cuda.so not found";
  for (const std::string& path : candidate_paths()) {
    if (!std::filesystem::exists(path)) continue;
    r.path = path;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* err = dlerror();
      last_error = std::string("cannot load the CUDA backend: ") + (err ? err : "unknown error");
      continue;
    }
    using ApiFn = const cuda::PluginApi* (*)();
    auto fn = reinterpret_cast<ApiFn>(dlsym(handle, "toonbox_cuda_plugin_api"));
    if (!fn) {
      last_error = "cannot load the CUDA backend: " + path + " has no toonbox_cuda_plugin_api";
      continue;
    }
    const cuda::PluginApi* api = fn();
    if (!api || api->abi_version != cuda::kPluginAbiVersion) {
      last_error = "cannot load the CUDA backend: " + path +
                   " was built for a different toonbox version (ABI mismatch)";
      continue;
    }
    r.api = api;
    r.failure.clear();
    startup_mark("CUDA plugin loaded (with cuDNN, cuBLAS)");
    return r;
  }
  r.failure = last_error;
  return r;
}

}  // namespace

const CudaPluginLoad& load_cuda_plugin() {
  static const CudaPluginLoad loaded = load_once();
  return loaded;
}

Status cuda_device_memory(int device_index, size_t* free_bytes, size_t* total_bytes) {
  const CudaPluginLoad& plugin = load_cuda_plugin();
  if (!plugin.api) return unavailable(plugin.failure);
  return plugin.api->memory_info(device_index, free_bytes, total_bytes);
}

}  // namespace toonbox::backend
