#include "doctor/library_resolver.h"

#include <filesystem>

#include "doctor/shared_library.h"

namespace toonbox::doctor {
namespace fs = std::filesystem;
namespace {

bool exists_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);  // follows symlinks: a dangling link is a miss
}

std::string find_in(const std::vector<std::string>& dirs, const std::string& name) {
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + name;
    if (exists_file(candidate)) return candidate;
  }
  return "";
}

}  // namespace

std::vector<std::string> LoaderSearch::default_library_dirs() {
  // glibc's trusted folders; Debian and Ubuntu add the multiarch ones.
#if defined(__x86_64__)
  return {"/lib/x86_64-linux-gnu",
          "/usr/lib/x86_64-linux-gnu",
          "/lib64",
          "/usr/lib64",
          "/lib",
          "/usr/lib"};
#elif defined(__aarch64__)
  return {"/lib/aarch64-linux-gnu",
          "/usr/lib/aarch64-linux-gnu",
          "/lib64",
          "/usr/lib64",
          "/lib",
          "/usr/lib"};
#else
  return {"/lib", "/usr/lib"};
#endif
}

std::string expand_origin(const std::string& entry, const std::string& origin) {
  std::string out = entry;
  for (const char* token : {"${ORIGIN}", "$ORIGIN"}) {
    const std::string t = token;
    for (size_t pos = out.find(t); pos != std::string::npos; pos = out.find(t, pos + origin.size()))
      out.replace(pos, t.size(), origin);
  }
  return out;
}

std::vector<ResolvedLibrary> resolve_needed_libraries(const std::string& object_path,
                                                      const ElfDynamicInfo& info,
                                                      const LoaderSearch& search) {
  const std::string origin = fs::path(object_path).parent_path().string();
  auto expand_all = [&](const std::vector<std::string>& entries) {
    std::vector<std::string> out;
    for (const std::string& e : entries) out.push_back(expand_origin(e, origin));
    return out;
  };
  const std::vector<std::string> runpath = expand_all(info.runpath);
  // ld.so ignores DT_RPATH when DT_RUNPATH is present.
  const std::vector<std::string> rpath =
      info.runpath.empty() ? expand_all(info.rpath) : std::vector<std::string>{};

  std::vector<ResolvedLibrary> out;
  for (const std::string& needed : info.needed) {
    ResolvedLibrary r;
    r.needed = needed;
    std::string found;
    if (needed.find('/') != std::string::npos) {
      if (exists_file(needed)) found = needed, r.via = "path in DT_NEEDED";
    } else if (!(found = find_in(rpath, needed)).empty()) {
      r.via = "RPATH";
    } else if (!(found = find_in(search.ld_library_path, needed)).empty()) {
      r.via = "LD_LIBRARY_PATH";
    } else if (!(found = find_in(runpath, needed)).empty()) {
      r.via = "RUNPATH";
    } else if (search.cache) {
      for (const std::string& p : search.cache->lookup(needed)) {
        if (exists_file(p)) {
          found = p;
          r.via = "ld.so.cache";
          break;
        }
      }
    }
    if (found.empty() && !(found = find_in(search.default_dirs, needed)).empty())
      r.via = "default folder";
    if (!found.empty()) {
      r.path = real_path(found);
      r.version = version_from_file_name(r.path);
      // Only LD_LIBRARY_PATH comes before RUNPATH, so only it can shadow the object's own copy.
      if (r.via == "LD_LIBRARY_PATH") {
        const std::string own = find_in(runpath, needed);
        if (!own.empty() && real_path(own) != r.path) r.shadowed_path = real_path(own);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace toonbox::doctor
