// dlopen by soname along the doctor's search path, and the facts the report needs
// about what was actually loaded (the real file, its version in the file name).
#pragma once

#include <string>

#include "doctor/doctor_environment.h"

namespace toonbox::doctor {

struct SharedLibrary {
  std::string soname;  // what was asked for: "libcudnn.so.9"
  void* handle = nullptr;
  std::string path;      // the file the loader mapped, symlinks resolved
  std::string error;     // why it is not loaded
  bool missing = false;  // no such file anywhere searched (as opposed to a file that fails to load)

  bool loaded() const { return handle != nullptr; }
  void* symbol(const char* name) const;
  // Points *fn at `name` (else `fallback`, for entry points renamed across versions, e.g.
  // nvmlInit_v2 / nvmlInit); null when the library has neither.
  template <typename Fn>
  void bind(Fn* fn, const char* name, const char* fallback = nullptr) const {
    void* sym = symbol(name);
    if (!sym && fallback) sym = symbol(fallback);
    *fn = reinterpret_cast<Fn>(sym);
  }
};

// Tries dirs[i]/soname in order, then (unless exclusive) the system loader's own search
// (LD_LIBRARY_PATH, RUNPATH of the executable, ld.so.cache, default dirs). Handles are
// never closed: closing the CUDA driver or cuDNN while they keep threads is unsafe, and
// the plugin may share them.
SharedLibrary open_shared_library(const std::string& soname, const LibrarySearchPath& search);

// The copy of soname already mapped into this process (by the CUDA plugin), without
// loading anything; not loaded() when there is none.
SharedLibrary find_loaded_library(const std::string& soname);

// "…/libcudart.so.13.0.88" -> "13.0.88"; "libcuda.so.580.65.06" -> "580.65.06";
// "" when the file name carries no version after ".so.".
std::string version_from_file_name(const std::string& path);

// The canonical path (symlinks resolved); the input when it cannot be resolved.
std::string real_path(const std::string& path);

// "/a, /b and the system library path (...)" for "not found in ..." messages.
std::string describe_search(const LibrarySearchPath& search);

}  // namespace toonbox::doctor
