// Which GPU code a build contains and whether a device can run it. This is the
// doctor's prediction of CUDA's "no kernel image is available for execution on the
// device" before anything is launched.
#pragma once

#include <string>
#include <vector>

namespace toonbox::doctor {

struct CudaArch {
  int number = 0;    // 90 for sm_90 / compute_90, 120 for sm_120
  char suffix = 0;   // 'a' (arch-specific, exact match only), 'f' (family) or 0
  bool ptx = false;  // compute_XX (PTX, JIT-compiled by the driver) vs sm_XX (machine code)
};

struct CudaArchList {
  std::vector<CudaArch> archs;
  bool known = false;  // false for "native", "all", "all-major" or an empty list
};

// Accepts CMake's CUDA_ARCHITECTURES ("80-real;86-real;90-virtual", "90" = both) and
// nvcc's names ("sm_80 sm_86 compute_90"), separated by ';', ',' or spaces.
CudaArchList parse_cuda_archs(const std::string& text);

// "sm_80 sm_86 sm_89 sm_90 + PTX compute_90"
std::string describe_cuda_archs(const CudaArchList& list);

enum class KernelImage {
  kMachineCode,            // exact sm_XY
  kCompatibleMachineCode,  // sm_XZ with Z <= Y, same major: binary compatible
  kPtxJit,                 // only PTX of an older compute_ZZ: the driver JIT-compiles it
  kNone,                   // "no kernel image is available"
  kUnknown,                // the arch list could not be read
};

struct KernelImagePrediction {
  KernelImage kind = KernelImage::kUnknown;
  std::string used;  // the arch that would run, e.g. "sm_80" or "compute_90"
};

KernelImagePrediction predict_kernel_image(const CudaArchList& list, int cc_major, int cc_minor);

std::string sm_name(int cc_major, int cc_minor);  // (9, 0) -> "sm_90"

}  // namespace toonbox::doctor
