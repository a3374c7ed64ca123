// The machine a bench ran on, for the report: the GPU, driver, CUDA runtime and cuDNN as
// the doctor finds them (src/doctor, without its smoke tests), the CPU, and which toonbox
// build measured it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace toonbox::bench {

struct GpuInfo {
  int index = 0;
  std::string name;
  std::string compute_capability;  // "9.0"
  int multiprocessors = 0;
  size_t memory_total = 0;
};

struct MachineInfo {
  std::string toonbox_version;
  std::string build_type;  // CMAKE_BUILD_TYPE
  std::string compiler;    // __VERSION__
  bool cuda_backend_built = false;
  std::string cuda_archs;   // what the CUDA plugin was compiled for
  std::string binary;       // /proc/self/exe, resolved
  std::string cpu_model;    // /proc/cpuinfo "model name"
  int cpu_cores = 0;        // threads the process may use
  size_t memory_total = 0;  // bytes of RAM
  std::string os;           // "Linux 6.1.0 x86_64"
  std::vector<GpuInfo> gpus;
  std::string driver_version;  // "580.65.06"; "" when there is no driver
  std::string driver_cuda;     // newest CUDA the driver supports, "13.0"
  std::string cuda_runtime;    // the CUDA runtime toonbox uses, "13.0"
  std::string cudnn;           // the cuDNN toonbox loaded, "9.19.0"
  std::string cublas;
  std::string gpu_verdict;  // the doctor's one line: "GPU: active — ..." / why not
};

// Asks the doctor (no smoke tests, no Python) and the kernel.
MachineInfo describe_machine();

nlohmann::ordered_json machine_json(const MachineInfo& m);
// One line for the Markdown report: "NVIDIA H200 (driver 580.65.06, CUDA 13.0, cuDNN 9.19.0);
// Intel Xeon ... (16 cores); toonbox 0.1.0 RelWithDebInfo".
std::string machine_line(const MachineInfo& m);

}  // namespace toonbox::bench
