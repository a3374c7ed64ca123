// What this toonbox binary was built for: CUDA runtime, cuDNN and GPU architectures.
// The doctor needs these even when the CUDA plugin cannot be loaded (that is exactly
// when it is asked), so they are baked in at configure time; a loaded plugin's probe()
// refines them.
#pragma once

#include <string>

namespace toonbox::doctor {

struct BuildInfo {
  bool cuda_backend = false;     // the CUDA plugin was configured into this build
  int cuda_runtime_version = 0;  // CUDART_VERSION style: 13000 for CUDA 13.0
  long cudnn_version = 0;        // CUDNN_VERSION style: 91900 for 9.19.0
  // CMake style ("80-real;90-virtual") or nvcc style ("sm_80 compute_90").
  std::string cuda_archs;

  static BuildInfo of_this_binary();
};

// 91900 -> "9.19.0" (cuDNN 9 numbering), 8907 -> "8.9.7" (cuDNN 8 numbering).
std::string format_cudnn_version(long version);
int cudnn_major(long version);
int cudnn_minor(long version);

}  // namespace toonbox::doctor
