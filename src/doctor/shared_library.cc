#include "doctor/shared_library.h"

#include <dlfcn.h>
#include <link.h>

#include <filesystem>

namespace toonbox::doctor {
namespace {

// Which file the loader picked for a bare soname.
std::string loaded_path(void* handle, const std::string& fallback) {
  link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name)
    return real_path(map->l_name);
  return fallback;
}

}  // namespace

std::string real_path(const std::string& path) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(path, ec);
  return ec ? path : canonical.string();
}

std::string version_from_file_name(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  const size_t so = name.find(".so.");
  if (so == std::string::npos) return "";
  return name.substr(so + 4);
}

void* SharedLibrary::symbol(const char* name) const {
  return handle ? dlsym(handle, name) : nullptr;
}

SharedLibrary open_shared_library(const std::string& soname, const LibrarySearchPath& search) {
  SharedLibrary lib;
  lib.soname = soname;
  for (const std::string& dir : search.dirs) {
    const std::string candidate = dir + "/" + soname;
    std::error_code ec;
    if (!std::filesystem::exists(candidate, ec)) continue;
    lib.handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib.handle) {
      // The file asked for, not the link map's name: the loader hands back an object
      // already loaded from another path when it is the same file.
      lib.path = real_path(candidate);
      return lib;
    }
    const char* err = dlerror();
    lib.error = err ? err : "dlopen failed";
    return lib;  // a file that is there but does not load is the answer, not a miss
  }
  if (search.exclusive) {
    lib.missing = true;
    lib.error = soname + " not found in " + describe_search(search);
    return lib;
  }
  lib.handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib.handle) {
    lib.path = loaded_path(lib.handle, soname);
    return lib;
  }
  const char* err = dlerror();
  const std::string text = err ? err : "";
  // glibc says "cannot open shared object file: No such file or directory" for a miss;
  // anything else (wrong ELF class, missing dependency) is worth quoting verbatim.
  if (text.find("No such file") != std::string::npos) {
    lib.missing = true;
    lib.error = soname + " not found in " + describe_search(search);
  } else {
    lib.error = text.empty() ? soname + " could not be loaded" : text;
  }
  return lib;
}

SharedLibrary find_loaded_library(const std::string& soname) {
  SharedLibrary lib;
  lib.soname = soname;
  lib.handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (lib.handle)
    lib.path = loaded_path(lib.handle, soname);
  else
    lib.error = soname + " is not loaded";
  return lib;
}

std::string describe_search(const LibrarySearchPath& search) {
  std::string dirs;
  for (size_t i = 0; i < search.dirs.size(); ++i) dirs += (i ? ", " : "") + search.dirs[i];
  if (search.exclusive) return dirs.empty() ? "no folders (empty search path)" : dirs;
  const std::string system =
      "the system library path (LD_LIBRARY_PATH, ld.so.cache, default folders)";
  return dirs.empty() ? system : dirs + " and " + system;
}

}  // namespace toonbox::doctor
