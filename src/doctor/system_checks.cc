#include "doctor/system_checks.h"

#include "doctor/cuda_arch.h"
#include "doctor/cuda_versions.h"

namespace toonbox::doctor {
namespace {

std::string driver_name(const DoctorFacts& f) {
  const std::string v = f.driver_version();
  return v.empty() ? "the driver" : "driver " + v;
}

Check build_check(const DoctorFacts& f) {
  const BuildInfo& b = f.build;
  if (!b.cuda_backend)
    return fail_check("system.build",
                      "this toonbox was built without the CUDA backend (no nvcc/cuDNN at configure "
                      "time, or -DTOONBOX_CUDA=OFF)",
                      "rebuild with the CUDA toolkit and cuDNN installed: cmake -S . -B build "
                      "-DTOONBOX_CUDA=ON && "
                      "ninja -C build (until then: --device cpu)");
  return ok_check("system.build",
                  "toonbox built with CUDA " + format_cuda_version(b.cuda_runtime_version) +
                      ", cuDNN " + format_cudnn_version(b.cudnn_version) +
                      "; GPU code: " + describe_cuda_archs(parse_cuda_archs(b.cuda_archs)));
}

Check driver_runtime_check(const DoctorFacts& f) {
  const std::string id = "system.driver_runtime";
  const int driver_cuda = f.driver_cuda_version();
  if (driver_cuda <= 0) return skip_check(id, "no NVIDIA driver to compare with (see Hardware)");
  const std::string driver = driver_name(f) + " supports CUDA " + format_cuda_version(driver_cuda);
  if (!f.build.cuda_backend) return ok_check(id, driver);
  const int runtime = f.runtime_version();
  const std::string rt = format_cuda_version(runtime);
  const std::string full_driver = toolkit_driver(runtime);
  switch (driver_fit(driver_cuda, f.driver_version(), runtime)) {
    case DriverFit::kSupported:
      return ok_check(id, driver + " (toonbox runtime " + rt + ")");
    case DriverFit::kMinorCompat:
      return warn_check(
          id,
          driver + ", older than toonbox's CUDA " + rt +
              " runtime: it runs through CUDA minor-version "
              "compatibility, but PTX from CUDA " +
              rt + " cannot be JIT-compiled and newer APIs fail",
          "upgrade the driver to >= " +
              (full_driver.empty() ? "the one released with CUDA " + rt : full_driver));
    case DriverFit::kTooOld: {
      const std::string floor = minor_compat_driver(cuda_major(runtime));
      const std::string need = floor.empty() ? full_driver : floor;
      return fail_check(
          id,
          driver + ", but toonbox's CUDA " + rt + " runtime needs driver >= " + need +
              " ('CUDA driver version is insufficient for CUDA runtime version')",
          "install NVIDIA driver >= " + (full_driver.empty() ? need : full_driver) +
              ", or build toonbox with a CUDA toolkit <= " + format_cuda_version(driver_cuda));
    }
  }
  return skip_check(id, driver);
}

// libcuda (user space), NVML and the kernel module come from one driver package;
// after an upgrade without reboot they disagree and nothing works.
std::optional<Check> driver_consistency_check(const DoctorFacts& f) {
  std::vector<std::pair<std::string, std::string>> seen;
  if (!f.platform.kernel_module_version.empty())
    seen.emplace_back("kernel module", f.platform.kernel_module_version);
  if (!f.nvml.driver_version.empty()) seen.emplace_back("NVML", f.nvml.driver_version);
  if (auto v = driver_version_from_library(f.driver.library.path); !v.empty())
    seen.emplace_back("libcuda", v);
  if (seen.size() < 2) return std::nullopt;
  std::string listing;
  bool same = true;
  for (const auto& [what, version] : seen) {
    listing += (listing.empty() ? "" : ", ") + what + " " + version;
    same = same && version == seen.front().second;
  }
  if (same) return ok_check("system.driver_consistency", "driver components agree: " + listing);
  return fail_check(
      "system.driver_consistency",
      "driver components disagree (" + listing + "): 'Driver/library version mismatch'",
      "reboot after the driver upgrade (or reload the nvidia kernel modules)");
}

std::string install_hint(const std::string& key, const DoctorFacts& f) {
  const int major = cuda_major(f.build.cuda_runtime_version);
  const std::string m = std::to_string(major);
  const std::string ver = m + "-" + std::to_string((f.build.cuda_runtime_version % 1000) / 10);
  if (key == "cudnn")
    return "install cuDNN " +
           std::to_string(f.build.cudnn_version > 0 ? cudnn_major(f.build.cudnn_version) : 9) +
           " for CUDA " + m + " (NVIDIA apt repository: libcudnn9-cuda-" + m +
           "), or add its folder to LD_LIBRARY_PATH";
  if (key == "nvrtc")
    return "install NVRTC (NVIDIA apt repository: cuda-nvrtc-" + ver +
           "), or add its folder to LD_LIBRARY_PATH";
  if (key == "cublas")
    return "install cuBLAS (NVIDIA apt repository: libcublas-" + ver +
           "), or add its folder to LD_LIBRARY_PATH";
  return "install the CUDA runtime (NVIDIA apt repository: cuda-cudart-" + ver +
         "), or add its folder to LD_LIBRARY_PATH";
}

Check library_check(const RuntimeLibrary& lib, const DoctorFacts& f) {
  const std::string id = "system.lib." + lib.key;
  const std::string& soname = lib.library.soname;
  if (lib.statically_linked)
    return ok_check(id, lib.role + " " + lib.version +
                            ": linked statically into the CUDA backend (no " + soname + " needed)");
  if (!lib.library.loaded()) {
    const bool missing = lib.library.missing;
    const std::string what = soname + " (" + lib.role + ") " +
                             (missing ? "not found" : "cannot be loaded: " + lib.library.error);
    Check c =
        lib.key == "nvrtc"
            ? warn_check(
                  id,
                  what +
                      ": cuDNN's runtime-compiled (fusion) engines are unavailable, so some fused "
                      "convolutions fall back to slower engines",
                  install_hint(lib.key, f))
            : fail_check(id, what + ": the CUDA backend cannot run without it",
                         install_hint(lib.key, f));
    if (missing) c.details.push_back(lib.library.error);
    return c;
  }
  Check c = ok_check(id, soname + ": " + lib.role + " " +
                             (lib.version.empty() ? "(version not reported)" : lib.version) + ", " +
                             lib.library.path);
  bool conflicting = false;
  for (const LibraryCopy& copy : lib.other_copies) {
    c.details.push_back("also: " + copy.path + " (" +
                        (copy.version.empty() ? "version unknown" : copy.version) + ", via " +
                        copy.where + ")");
    conflicting = conflicting || copy.same_soname;
  }
  if (conflicting) {
    c.status = CheckStatus::kWarn;
    c.message += "; other copies of " + soname + " with different versions exist";
    c.fix =
        "keep one: which copy loads depends on LD_LIBRARY_PATH and RUNPATH, and mixed versions "
        "cause "
        "'undefined symbol' and version-mismatch errors";
  }
  return c;
}

Check cudnn_version_check(const DoctorFacts& f) {
  const std::string id = "system.cudnn_version";
  const RuntimeLibrary* cudnn = f.library("cudnn");
  if (!cudnn || !cudnn->library.loaded() || cudnn->version_number <= 0)
    return skip_check(id, "cuDNN runtime version unknown (see above)");
  const long runtime = cudnn->version_number, compiled = f.build.cudnn_version;
  const std::string rt = format_cudnn_version(runtime), ct = format_cudnn_version(compiled);
  if (compiled <= 0) return ok_check(id, "cuDNN runtime " + rt + " (compile-time version unknown)");
  // cuDNN keeps compatibility within a major version towards newer minor releases only:
  // a library older than the headers may lack the engines and symbols toonbox uses.
  if (cudnn_major(runtime) != cudnn_major(compiled))
    return fail_check(id,
                      "cuDNN runtime " + rt + " but toonbox was compiled with cuDNN " + ct +
                          " (different major version)",
                      "install cuDNN " + std::to_string(cudnn_major(compiled)) + ".x >= " + ct +
                          ", or rebuild toonbox against " + rt);
  if (cudnn_minor(runtime) < cudnn_minor(compiled))
    return fail_check(
        id, "cuDNN runtime " + rt + " is older than the " + ct + " toonbox was compiled with",
        "install cuDNN >= " + ct + " (or rebuild toonbox against " + rt + ")");
  if (runtime == compiled) return ok_check(id, "cuDNN runtime " + rt + " = compile-time version");
  return ok_check(id, "cuDNN runtime " + rt + ", compiled with " + ct +
                          " (newer minor versions are compatible)");
}

}  // namespace

Section system_checks(const DoctorFacts& f) {
  Section s{"System", {}};
  s.checks.push_back(build_check(f));
  s.checks.push_back(driver_runtime_check(f));
  if (auto c = driver_consistency_check(f)) s.checks.push_back(*c);
  if (!f.build.cuda_backend) {
    s.checks.push_back(
        skip_check("system.libraries",
                   "CUDA libraries not checked: this build has no CUDA backend to load them"));
    return s;
  }
  for (const RuntimeLibrary& lib : f.libraries) s.checks.push_back(library_check(lib, f));
  s.checks.push_back(cudnn_version_check(f));
  return s;
}

}  // namespace toonbox::doctor
