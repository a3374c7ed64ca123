#include "doctor/build_info.h"

#include "doctor_build_config.h"

namespace toonbox::doctor {

BuildInfo BuildInfo::of_this_binary() {
  BuildInfo info;
  info.cuda_backend = TOONBOX_DOCTOR_CUDA_BACKEND != 0;
  info.cuda_runtime_version = TOONBOX_DOCTOR_CUDA_RUNTIME_VERSION;
  info.cudnn_version = TOONBOX_DOCTOR_CUDNN_VERSION;
  info.cuda_archs = TOONBOX_DOCTOR_CUDA_ARCHS;
  return info;
}

// cuDNN changed its numbering in 9.0: major*1000 + minor*100 + patch before,
// major*10000 + minor*100 + patch since.
int cudnn_major(long version) {
  return static_cast<int>(version >= 90000 ? version / 10000 : version / 1000);
}

int cudnn_minor(long version) {
  return static_cast<int>(version >= 90000 ? (version % 10000) / 100 : (version % 1000) / 100);
}

std::string format_cudnn_version(long version) {
  if (version <= 0) return "unknown";
  return std::to_string(cudnn_major(version)) + "." + std::to_string(cudnn_minor(version)) + "." +
         std::to_string(version % 100);
}

}  // namespace toonbox::doctor
