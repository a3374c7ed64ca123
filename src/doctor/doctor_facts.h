// Everything the doctor learned about the machine, gathered once; the checks of each
// layer are pure functions of these facts (and so testable from constructed facts).
#pragma once

#include <optional>
#include <string>

#include "doctor/build_info.h"
#include "doctor/cuda_driver_probe.h"
#include "doctor/framework_probe.h"
#include "doctor/nvml_probe.h"
#include "doctor/platform_probe.h"
#include "doctor/runtime_libraries.h"
#include "doctor/torch_probe.h"

namespace toonbox::doctor {

struct DoctorFacts {
  PlatformFacts platform;
  NvmlFacts nvml;
  CudaDriverFacts driver;
  FrameworkFacts framework;
  BuildInfo build;  // the environment's build info, refined by the plugin's probe()
  std::vector<RuntimeLibrary> libraries;
  std::optional<TorchFacts> torch;

  // The installed driver's version string ("580.65.06") from NVML, else libcuda's file
  // name, else the kernel module; "" when nothing tells.
  std::string driver_version() const;
  // The newest CUDA the driver supports (cuDriverGetVersion, else NVML, else the table).
  int driver_cuda_version() const;
  // The CUDA runtime toonbox uses: the loaded libcudart's version, else the build's.
  int runtime_version() const;
  const RuntimeLibrary* library(const std::string& key) const;
  bool driver_library_found() const { return driver.library.loaded() || nvml.library.loaded(); }
};

// A driver version in a libcuda file name ("libcuda.so.580.65.06"); "" for "libcuda.so.1".
std::string driver_version_from_library(const std::string& path);

}  // namespace toonbox::doctor
