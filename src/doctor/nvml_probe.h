// NVML (libnvidia-ml.so.1), loaded with dlopen: the driver's view of every physical GPU,
// independent of CUDA_VISIBLE_DEVICES, and the facts CUDA does not give without a
// context (free memory, MIG and ECC modes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "doctor/doctor_environment.h"
#include "doctor/shared_library.h"

namespace toonbox::doctor {

struct NvmlDevice {
  unsigned index = 0;
  std::string name;
  std::string uuid;
  int cc_major = 0, cc_minor = 0;  // 0: unknown
  bool memory_known = false;
  uint64_t memory_total = 0, memory_free = 0;
  int mig_mode = -1;  // 1 on, 0 off, -1 not supported / unknown
  int ecc_mode = -1;  // 1 on, 0 off, -1 not supported / unknown
};

struct NvmlFacts {
  SharedLibrary library;
  bool initialized = false;
  int init_error = 0;           // nvmlReturn_t of nvmlInit_v2 when it failed
  std::string error;            // nvmlErrorString or what is missing
  std::string driver_version;   // "580.65.06"
  int cuda_driver_version = 0;  // 13000
  std::vector<NvmlDevice> devices;
};

inline constexpr int kNvmlErrorNoPermission = 4;
inline constexpr int kNvmlErrorDriverNotLoaded = 9;
inline constexpr int kNvmlErrorLibRmVersionMismatch = 18;

NvmlFacts probe_nvml(const LibrarySearchPath& search);

}  // namespace toonbox::doctor
