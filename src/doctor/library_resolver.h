// Where the dynamic loader would find each DT_NEEDED library of an object, following
// ld.so(8): DT_RPATH (only without DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH with $ORIGIN
// expanded, the ld.so.cache, then the default folders. Used to explain which CUDA
// libraries a PyTorch install really gets.
#pragma once

#include <string>
#include <vector>

#include "doctor/elf_reader.h"
#include "doctor/ldconfig_cache.h"

namespace toonbox::doctor {

struct ResolvedLibrary {
  std::string needed;   // "libcudnn.so.9"
  std::string path;     // canonical path it resolves to; "" when not found
  std::string via;      // "RPATH", "LD_LIBRARY_PATH", "RUNPATH", "ld.so.cache", "default folder"
  std::string version;  // from the resolved file's name, "" if none
  // When it resolves through LD_LIBRARY_PATH or the cache although the object's own
  // RUNPATH/RPATH holds a different file: that file (the one the object shipped with).
  std::string shadowed_path;
};

struct LoaderSearch {
  std::vector<std::string> ld_library_path;
  const LdconfigCache* cache = nullptr;
  std::vector<std::string> default_dirs = default_library_dirs();

  static std::vector<std::string> default_library_dirs();
};

std::vector<ResolvedLibrary> resolve_needed_libraries(const std::string& object_path,
                                                      const ElfDynamicInfo& info,
                                                      const LoaderSearch& search);

// "$ORIGIN/../lib" with origin "/x/torch/lib" -> "/x/torch/lib/../lib".
std::string expand_origin(const std::string& entry, const std::string& origin);

}  // namespace toonbox::doctor
