#include "doctor/runtime_libraries.h"

#include <cstddef>
#include <filesystem>
#include <set>

#include "doctor/cuda_versions.h"

namespace toonbox::doctor {
namespace fs = std::filesystem;
namespace {

// Version entry points, declared here so no CUDA headers are needed. All are callable
// without a GPU or a CUDA context.
using CudaRuntimeGetVersion = int (*)(int*);   // cudaRuntimeGetVersion
using CublasGetProperty = int (*)(int, int*);  // cublasGetProperty(MAJOR=0/MINOR=1/PATCH=2)
using CudnnGetVersion = size_t (*)();          // cudnnGetVersion
using NvrtcVersion = int (*)(int*, int*);      // nvrtcVersion

void read_version(RuntimeLibrary* lib) {
  const SharedLibrary& so = lib->library;
  if (lib->key == "cudart") {
    if (auto fn = reinterpret_cast<CudaRuntimeGetVersion>(so.symbol("cudaRuntimeGetVersion"))) {
      int v = 0;
      if (fn(&v) == 0 && v > 0) {
        lib->version_number = v;
        lib->version = format_cuda_version(v);
      }
    }
  } else if (lib->key == "cublas") {
    if (auto fn = reinterpret_cast<CublasGetProperty>(so.symbol("cublasGetProperty"))) {
      int major = 0, minor = 0, patch = 0;
      if (fn(0, &major) == 0 && fn(1, &minor) == 0 && fn(2, &patch) == 0) {
        lib->version_number = major * 10000L + minor * 100L + patch;
        lib->version =
            std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
      }
    }
  } else if (lib->key == "cudnn") {
    if (auto fn = reinterpret_cast<CudnnGetVersion>(so.symbol("cudnnGetVersion"))) {
      lib->version_number = static_cast<long>(fn());
      if (lib->version_number > 0) lib->version = format_cudnn_version(lib->version_number);
    }
  } else if (lib->key == "nvrtc") {
    if (auto fn = reinterpret_cast<NvrtcVersion>(so.symbol("nvrtcVersion"))) {
      int major = 0, minor = 0;
      if (fn(&major, &minor) == 0 && major > 0) {
        lib->version_number = major * 1000L + minor * 10L;
        lib->version = std::to_string(major) + "." + std::to_string(minor);
      }
    }
  }
}

// "libcudnn.so.9" -> ("libcudnn.so", "9")
std::pair<std::string, std::string> split_soname(const std::string& soname) {
  const size_t so = soname.find(".so");
  if (so == std::string::npos) return {soname, ""};
  const std::string family = soname.substr(0, so + 3);
  const std::string rest = soname.size() > so + 4 ? soname.substr(so + 4) : "";
  return {family, rest};
}

bool version_starts_with(const std::string& version, const std::string& prefix) {
  if (prefix.empty() || version.compare(0, prefix.size(), prefix) != 0) return false;
  return version.size() == prefix.size() || version[prefix.size()] == '.';
}

}  // namespace

std::string runtime_soname(const std::string& key, const BuildInfo& build) {
  const int major = build.cuda_runtime_version / 1000;
  const std::string m = std::to_string(major);
  if (key == "cudart") return major == 11 ? "libcudart.so.11.0" : "libcudart.so." + m;
  if (key == "cublas") return "libcublas.so." + m;
  if (key == "nvrtc") return major == 11 ? "libnvrtc.so.11.2" : "libnvrtc.so." + m;
  if (key == "cudnn") {
    const int cudnn = build.cudnn_version > 0 ? cudnn_major(build.cudnn_version) : 9;
    return "libcudnn.so." + std::to_string(cudnn);
  }
  return "";
}

std::vector<LibraryCopy> find_other_copies(const std::string& soname,
                                           const std::string& loaded_path,
                                           const DoctorEnvironment& env,
                                           const LdconfigCache& cache) {
  const auto [family, soname_version] = split_soname(soname);
  const std::string loaded_version = version_from_file_name(loaded_path);
  std::vector<std::pair<std::string, std::string>> candidates;  // (path, where)
  // `family` captured by an init-capture: clang before 16 cannot capture a structured binding.
  auto scan_dir = [&, &family = family](const std::string& dir, const std::string& where) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.compare(0, family.size(), family) == 0)
        candidates.emplace_back(it->path().string(), where);
    }
  };
  for (const std::string& dir : env.libraries.dirs) scan_dir(dir, "TOONBOX_DOCTOR_LIB_PATH");
  for (const std::string& dir : env.path_list("LD_LIBRARY_PATH")) scan_dir(dir, "LD_LIBRARY_PATH");
  for (const auto& [name, path] : cache.with_prefix(family))
    candidates.emplace_back(path, "ld.so.cache");

  std::vector<LibraryCopy> copies;
  std::set<std::string> seen = {loaded_path};
  for (const auto& [path, where] : candidates) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;  // dangling links and folders
    const std::string canonical = real_path(path);
    if (!seen.insert(canonical).second) continue;
    LibraryCopy copy{canonical, version_from_file_name(canonical), where, false};
    if (!loaded_version.empty() && copy.version == loaded_version) continue;
    copy.same_soname = version_starts_with(copy.version, soname_version);
    copies.push_back(copy);
  }
  return copies;
}

std::vector<RuntimeLibrary> probe_runtime_libraries(const BuildInfo& build,
                                                    const DoctorEnvironment& env,
                                                    const LdconfigCache& cache,
                                                    int plugin_runtime_version) {
  const bool plugin_loaded = plugin_runtime_version > 0;
  static const std::pair<const char*, const char*> kLibraries[] = {
      {"cudart", "CUDA runtime"}, {"cublas", "cuBLAS"}, {"cudnn", "cuDNN"}, {"nvrtc", "NVRTC"}};
  std::vector<RuntimeLibrary> out;
  for (const auto& [key, role] : kLibraries) {
    RuntimeLibrary lib;
    lib.key = key;
    lib.role = role;
    const std::string soname = runtime_soname(key, build);
    // An exclusive search path (tests) is the whole truth; otherwise the plugin's own
    // copy, when it mapped one, is the one toonbox uses.
    if (plugin_loaded && !env.libraries.exclusive) lib.library = find_loaded_library(soname);
    if (plugin_loaded && !lib.library.loaded() && lib.key == "cudart" && !env.libraries.exclusive) {
      lib.statically_linked = true;
      lib.library.soname = soname;
      lib.version_number = plugin_runtime_version;
      lib.version = format_cuda_version(plugin_runtime_version);
      out.push_back(std::move(lib));
      continue;
    }
    if (!lib.library.loaded()) lib.library = open_shared_library(soname, env.libraries);
    if (lib.library.loaded()) read_version(&lib);
    lib.other_copies = find_other_copies(lib.library.soname, lib.library.path, env, cache);
    out.push_back(std::move(lib));
  }
  return out;
}

}  // namespace toonbox::doctor
