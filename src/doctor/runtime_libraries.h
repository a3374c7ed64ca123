// The CUDA libraries toonbox's CUDA backend needs at run time (CUDA runtime, cuBLAS,
// cuDNN, NVRTC): which file loads, the version it reports, and other copies of the
// same library elsewhere on LD_LIBRARY_PATH or in the linker cache that could be picked
// up instead.
#pragma once

#include <string>
#include <vector>

#include "doctor/build_info.h"
#include "doctor/doctor_environment.h"
#include "doctor/ldconfig_cache.h"
#include "doctor/shared_library.h"

namespace toonbox::doctor {

struct LibraryCopy {
  std::string path;          // canonical path
  std::string version;       // from the file name; "" when it has none
  std::string where;         // "LD_LIBRARY_PATH", "ld.so.cache", "TOONBOX_DOCTOR_LIB_PATH"
  bool same_soname = false;  // could stand in for the loaded library (same soname major)
};

struct RuntimeLibrary {
  std::string key;   // "cudart", "cublas", "cudnn", "nvrtc"
  std::string role;  // "CUDA runtime", "cuBLAS", "cuDNN", "NVRTC"
  SharedLibrary library;
  // The CUDA plugin carries this library inside itself (CMake links the CUDA runtime
  // statically by default), so no shared copy is needed; version from its probe().
  bool statically_linked = false;
  long version_number = 0;                // as reported: 13000, 130002, 91900, 13000
  std::string version;                    // "13.0", "13.0.2", "9.19.0", "13.0"; "" if not reported
  std::vector<LibraryCopy> other_copies;  // different versions than the loaded file
};

// The sonames this build's CUDA backend links: libcudart.so.13, libcublas.so.13,
// libcudnn.so.9, libnvrtc.so.13 for CUDA 13 / cuDNN 9 (CUDA 11 used .so.11.0 / .so.11.2).
std::string runtime_soname(const std::string& key, const BuildInfo& build);

// plugin_runtime_version: the CUDA runtime version a loaded plugin's probe() reported,
// 0 when no plugin is loaded. With a loaded plugin the copies it mapped are reported
// (what toonbox really uses); without one, what the loader would find.
std::vector<RuntimeLibrary> probe_runtime_libraries(const BuildInfo& build,
                                                    const DoctorEnvironment& env,
                                                    const LdconfigCache& cache,
                                                    int plugin_runtime_version);

// Other copies of a library family ("libcudnn.so") in the environment's library folders
// and the cache, excluding the file at loaded_path and copies of the same version.
std::vector<LibraryCopy> find_other_copies(const std::string& soname,
                                           const std::string& loaded_path,
                                           const DoctorEnvironment& env,
                                           const LdconfigCache& cache);

}  // namespace toonbox::doctor
