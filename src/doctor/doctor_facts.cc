#include "doctor/doctor_facts.h"

#include "doctor/cuda_versions.h"

namespace toonbox::doctor {

std::string driver_version_from_library(const std::string& path) {
  const std::string v = version_from_file_name(path);
  const std::vector<int> parts = parse_driver_version(v);
  // Driver branches are three digits (450 ... 590); "1" is just the soname major.
  return parts.size() >= 2 && parts[0] >= 100 ? v : "";
}

std::string DoctorFacts::driver_version() const {
  if (!nvml.driver_version.empty()) return nvml.driver_version;
  if (std::string v = driver_version_from_library(driver.library.path); !v.empty()) return v;
  return platform.kernel_module_version;
}

int DoctorFacts::driver_cuda_version() const {
  if (driver.driver_version > 0) return driver.driver_version;
  if (nvml.cuda_driver_version > 0) return nvml.cuda_driver_version;
  const std::string v = driver_version();
  return v.empty() ? 0 : newest_cuda_for_driver(v);
}

int DoctorFacts::runtime_version() const {
  const RuntimeLibrary* cudart = library("cudart");
  if (cudart && cudart->version_number > 0) return static_cast<int>(cudart->version_number);
  return build.cuda_runtime_version;
}

const RuntimeLibrary* DoctorFacts::library(const std::string& key) const {
  for (const RuntimeLibrary& lib : libraries)
    if (lib.key == key) return &lib;
  return nullptr;
}

}  // namespace toonbox::doctor
