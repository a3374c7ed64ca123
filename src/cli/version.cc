#include "cli/version.h"

#include "backend/cpu/cpu_backend.h"
#include "doctor/build_info.h"

#ifndef TOONBOX_BUILD_TYPE
#define TOONBOX_BUILD_TYPE "unknown"
#endif

namespace toonbox::cli {

std::string version_text() {
  const doctor::BuildInfo build = doctor::BuildInfo::of_this_binary();
  std::string text = std::string("toonbox ") + TOONBOX_VERSION + " (" + TOONBOX_BUILD_TYPE + " build)\n";
  if (build.cuda_backend) {
    const int cuda = build.cuda_runtime_version;
    text += "CUDA backend: built for CUDA " + std::to_string(cuda / 1000) + "." +
            std::to_string(cuda % 1000 / 10) + ", cuDNN " + doctor::format_cudnn_version(build.cudnn_version) +
            ", GPU architectures " + build.cuda_archs + " (a plugin loaded at run time: `toonbox doctor` says whether it can)\n";
  } else {
    text += "CUDA backend: not built (compiled without nvcc/cuDNN): CPU only\n";
  }
  text += "CPU backend: oneDNN " + cpu::onednn_version() + "\n";
  return text;
}

}  // namespace toonbox::cli
