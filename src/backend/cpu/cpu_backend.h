// The CPU backend: convolutions through oneDNN (weights reordered once to its preferred
// blocked format, activation epilogues as post-ops), everything else through the plain
// kernels in cpu_kernels.h, all activations in one planned arena. fp32 only.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"

namespace toonbox::cpu {

std::unique_ptr<backend::Backend> create_cpu_backend();

// The oneDNN library this process runs with ("2.6.3"), as the library itself reports it.
std::string onednn_version();

}  // namespace toonbox::cpu
