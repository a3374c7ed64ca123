// The CUDA driver API (libcuda.so.1), loaded with dlopen: whether CUDA initialises, what
// CUDA version the driver supports and the devices CUDA (not NVML) sees, i.e. after
// CUDA_VISIBLE_DEVICES.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "doctor/doctor_environment.h"
#include "doctor/shared_library.h"

namespace toonbox::doctor {

struct CudaDevice {
  int ordinal = 0;
  std::string name;
  std::string uuid;  // "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", NVML's format
  int cc_major = 0, cc_minor = 0;
  int multiprocessors = 0;
  uint64_t memory_total = 0;
};

struct CudaDriverFacts {
  SharedLibrary library;
  int driver_version = 0;  // cuDriverGetVersion: newest CUDA the driver supports
  bool init_called = false;
  int init_result = 0;     // CUresult of cuInit(0)
  std::string init_error;  // "CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected"
  std::vector<CudaDevice> devices;
};

// CUresult values the diagnosis distinguishes (cuda.h).
inline constexpr int kCudaErrorStubLibrary = 34;
inline constexpr int kCudaErrorNoDevice = 100;
inline constexpr int kCudaErrorInvalidDevice = 101;
inline constexpr int kCudaErrorSystemDriverMismatch = 803;
inline constexpr int kCudaErrorCompatNotSupportedOnDevice = 804;
inline constexpr int kCudaErrorUnknown = 999;

CudaDriverFacts probe_cuda_driver(const LibrarySearchPath& search);

// 16 UUID bytes in NVML's text form.
std::string format_gpu_uuid(const unsigned char bytes[16]);

}  // namespace toonbox::doctor
