// Everything the doctor reads from the machine goes through this struct, so every
// scenario (no driver, a container without GPU, an old driver, ...) can be simulated
// in tests without a GPU: stub libraries in a private folder, a fake root with /dev,
// /proc and /sys, an environment map and a fake python.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backend/cuda_plugin_loader.h"
#include "doctor/build_info.h"

namespace toonbox::doctor {

// Where libcuda, NVML and the CUDA libraries are looked for.
struct LibrarySearchPath {
  std::vector<std::string> dirs;  // tried first, in order
  bool exclusive = false;         // true: never fall back to the system's loader search
};

struct DoctorEnvironment {
  LibrarySearchPath libraries;
  std::string root = "/";                   // prefix for /dev, /proc, /sys, /.dockerenv, /run
  std::map<std::string, std::string> vars;  // the environment variables to reason about
  // `ldconfig -p` output; nullopt runs ldconfig. Tests set "" (an empty cache).
  std::optional<std::string> ldconfig_output;
  std::string python;         // interpreter for the PyTorch checks; empty: not run
  int python_timeout_s = 90;  // importing torch on a cold disk takes tens of seconds
  bool run_smoke_tests = true;
  BuildInfo build = BuildInfo::of_this_binary();
  // The CUDA plugin; nullopt uses load_cuda_plugin(). Tests inject a fake API or a
  // load failure.
  std::optional<backend::CudaPluginLoad> plugin;

  // The real machine: environ, root "/", $TOONBOX_DOCTOR_LIB_PATH (':'-separated) searched
  // first, exclusively when $TOONBOX_DOCTOR_LIB_PATH_ONLY=1, and $TOONBOX_DOCTOR_ROOT.
  static DoctorEnvironment from_process();

  // root + absolute path: host_path("/dev/nvidia0").
  std::string host_path(const std::string& absolute) const;
  std::optional<std::string> var(const std::string& name) const;
  // A ':'-separated variable (LD_LIBRARY_PATH) split into its non-empty entries.
  std::vector<std::string> path_list(const std::string& name) const;
};

std::vector<std::string> split_path_list(const std::string& value);

}  // namespace toonbox::doctor
