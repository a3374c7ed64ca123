// The framework layer's facts: whether toonbox's own CUDA backend loads, what its
// probe() reports, and a real smoke test on every device it sees.
#pragma once

#include <string>
#include <vector>

#include "backend/cuda/plugin_api.h"
#include "core/status.h"
#include "doctor/doctor_environment.h"

namespace toonbox::doctor {

struct SmokeRun {
  int device = 0;
  std::string name;
  Status status;
  cuda::CudaSmokeResult result;
};

struct FrameworkFacts {
  const cuda::PluginApi* api = nullptr;  // null: the plugin did not load
  std::string plugin_path;
  std::string plugin_failure;  // the loader's words, naming the failing layer
  bool probed = false;
  Status probe_status;
  cuda::CudaRuntimeInfo runtime;
  std::vector<SmokeRun> smoke;  // one per device probe() listed, when enabled
};

FrameworkFacts probe_framework(const DoctorEnvironment& env);

}  // namespace toonbox::doctor
