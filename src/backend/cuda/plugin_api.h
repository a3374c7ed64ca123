// The one entry point of the CUDA backend plugin (libtoonbox_cuda.so).
//
// Why a plugin: the toonbox binary must start, run on the CPU and explain what is
// missing on machines where libcudart, cuDNN or cuBLAS cannot be loaded. The plugin is
// built from the same tree with the same compiler, so passing C++ types across is safe;
// kPluginAbiVersion guards against a stale plugin next to a newer binary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"

namespace toonbox::cuda {

inline constexpr int kPluginAbiVersion = 4;  // 2: memory_info; 3: graph-API and CUDA-graph stats; 4: run_pixels

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  std::string uuid;
  int cc_major = 0, cc_minor = 0;
  int multiprocessors = 0;
  size_t memory_total = 0, memory_free = 0;
  bool kernel_image_available = false;  // this build has SASS or PTX usable on this device
};

struct CudaRuntimeInfo {
  int driver_version = 0;        // cudaDriverGetVersion, e.g. 13000
  int runtime_version = 0;       // cudaRuntimeGetVersion
  size_t cudnn_version = 0;      // cudnnGetVersion (runtime), e.g. 91900
  size_t cudnn_compiled = 0;     // CUDNN_VERSION at compile time
  int cublas_version = 0;        // cublasGetVersion (runtime)
  std::string compiled_archs;    // e.g. "sm_80 sm_86 sm_89 sm_90 compute_90"
  std::vector<CudaDeviceInfo> devices;
};

// Results of the doctor's framework-layer smoke test on one device.
struct CudaSmokeResult {
  bool ok = false;
  std::string detail;            // what failed, when !ok
  double conv_fp32_max_abs_err = 0;  // vs the CPU reference
  double conv_fp16_max_abs_err = 0;
  double gemm_max_rel_err = 0;
  double gemm_tflops = 0;        // fp16 GEMM through cuBLAS
  double copy_gbps = 0;          // device-to-device copy, bytes read + written
};

// Process-wide counters of the plugin (tests, bench).
struct CudaPluginStats {
  int64_t conv_algo_searches = 0;    // cuDNN algorithm searches run (cache misses)
  int64_t conv_algo_cache_hits = 0;  // compiles that reused a cached search
  int64_t conv_algo_cache_entries = 0;
  int64_t convs_cudnn = 0;           // Conv2D nodes compiled to cuDNN
  int64_t convs_cublas = 0;          // Conv2D nodes compiled to one cuBLAS GEMM (1x1 NHWC)
  int64_t convs_direct = 0;          // Conv2D nodes on the direct-kernel fallback
  int64_t convs_cudnn_graph = 0;     // of convs_cudnn: through cuDNN's graph API
  int64_t convs_fused_epilogue = 0;  // of those: bias + activation fused into cuDNN's graph
  int64_t conv_algo_disk_loaded = 0;  // cache entries read from the on-disk file (another process's searches)
  int64_t graph_captures = 0;        // executables whose steps were captured into a CUDA graph
  int64_t graph_launches = 0;        // runs replayed from a captured CUDA graph
  int64_t conv_choices_timed = 0;    // own kernel vs cuDNN timed on the real buffers
  int64_t conv_choices_cached = 0;   // ... taken from the cache instead (this or an earlier process)
};

struct PluginApi {
  int abi_version;
  // Fills runtime and device information; an error names the failing layer
  // ("no CUDA-capable device", "driver too old: ...").
  Status (*probe)(CudaRuntimeInfo* info);
  Result<std::unique_ptr<backend::Backend>> (*create_backend)(int device_index);
  // Runs the checks and fills `result`; an error when one could not run, else
  // result->ok says whether every number is within its bound.
  Status (*smoke_test)(int device_index, CudaSmokeResult* result);
  void (*stats)(CudaPluginStats* out);
  // cudaMemGetInfo on one device, now (the probe's figure is from start-up).
  Status (*memory_info)(int device_index, size_t* free_bytes, size_t* total_bytes);
};

}  // namespace toonbox::cuda

extern "C" const toonbox::cuda::PluginApi* toonbox_cuda_plugin_api();
