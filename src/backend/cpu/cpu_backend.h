// The CPU backend: convolutions through oneDNN (weights reordered once to its preferred
// blocked format, activation epilogues as post-ops), everything else through the plain
// kernels in cpu_kernels.h, all activations in one planned arena. fp32 only.
#pragma once

#include <memory>

#include "backend/backend.h"

namespace toonbox {

std::unique_ptr<Backend> create_cpu_backend();

}  // namespace toonbox
