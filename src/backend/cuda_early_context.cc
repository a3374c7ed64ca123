#include "backend/cuda_early_context.h"

#include <dlfcn.h>

#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

#include "core/startup_trace.h"

namespace toonbox::backend {
namespace {

// The three driver entry points used, by their ABI (cuda.h is not needed to build this).
using CuInit = int (*)(unsigned int);
using CuDeviceGet = int (*)(int*, int);
using CuDevicePrimaryCtxRetain = int (*)(void**, int);

void retain_primary_context(int device_index) {
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (driver == nullptr) return;
  auto init = reinterpret_cast<CuInit>(dlsym(driver, "cuInit"));
  auto device_get = reinterpret_cast<CuDeviceGet>(dlsym(driver, "cuDeviceGet"));
  auto retain = reinterpret_cast<CuDevicePrimaryCtxRetain>(dlsym(driver, "cuDevicePrimaryCtxRetain"));
  if (init == nullptr || device_get == nullptr || retain == nullptr || init(0) != 0) return;
  int device = 0;
  void* context = nullptr;
  if (device_get(&device, device_index) == 0 && retain(&context, device) == 0)
    startup_mark("CUDA context created (early, beside the plugin load)");
}

struct EarlyContexts {
  std::mutex mutex;
  std::set<int> started;
  std::vector<std::thread> threads;
  ~EarlyContexts() {
    for (std::thread& t : threads) t.join();
  }
};

EarlyContexts& early_contexts() {
  static EarlyContexts contexts;
  return contexts;
}

}  // namespace

void start_cuda_context_early(int device_index) {
  EarlyContexts& contexts = early_contexts();
  std::lock_guard<std::mutex> lock(contexts.mutex);
  if (!contexts.started.insert(device_index).second) return;
  try {
    contexts.threads.emplace_back(retain_primary_context, device_index);
  } catch (const std::system_error&) {
    // No thread to spare: the runtime creates the context itself, later.
  }
}

}  // namespace toonbox::backend
