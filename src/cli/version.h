// `toonbox --version`: what this build is (version, build type, the CUDA backend it was
// configured with — runtime, cuDNN, GPU architectures — and the oneDNN it runs with),
// so a bug report or a package says exactly which binary it is about.
#pragma once

#include <string>

namespace toonbox::cli {

std::string version_text();

}  // namespace toonbox::cli
