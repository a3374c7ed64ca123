#include "image/atomic_temp_files.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <filesystem>

namespace toonbox::image {
namespace {

// Keeps the temporary name within NAME_MAX (255) however long the target name is.
constexpr size_t kMaxNameInTempName = 120;
constexpr const char* kMarker = ".toonbox-";
constexpr const char* kSuffix = ".tmp";
constexpr size_t kRandomHexDigits = 16;

bool all_of(const std::string& s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

// kill(pid, 0) tells whether the process exists without touching it. EPERM means it
// exists but belongs to someone else: keep its file.
bool process_alive(long pid) {
  if (pid <= 0) return false;
  if (pid == static_cast<long>(getpid())) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

std::string atomic_temp_name(const std::string& target_name, long pid, uint64_t random) {
  char suffix[64];
  std::snprintf(suffix, sizeof(suffix), "%s%ld-%016" PRIx64 "%s", kMarker, pid, random, kSuffix);
  return "." + target_name.substr(0, kMaxNameInTempName) + suffix;
}

std::string atomic_temp_key(const std::string& target_name) {
  return "." + target_name.substr(0, kMaxNameInTempName) + kMarker;
}

std::optional<long> atomic_temp_owner(const std::string& name) {
  const std::string suffix = kSuffix;
  if (name.size() < 2 || name[0] != '.' || name.size() <= suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  const std::string stem = name.substr(0, name.size() - suffix.size());
  const size_t marker = stem.rfind(kMarker);
  if (marker == std::string::npos || marker < 1) return std::nullopt;
  const std::string tail = stem.substr(marker + std::string(kMarker).size());  // PID-RANDOM
  const size_t dash = tail.find('-');
  if (dash == std::string::npos) return std::nullopt;
  const std::string pid = tail.substr(0, dash), random = tail.substr(dash + 1);
  if (pid.size() > 9 || !all_of(pid, is_digit) || random.size() != kRandomHexDigits ||
      !all_of(random, is_hex))
    return std::nullopt;
  return std::stol(pid);
}

Result<TempCleanup> remove_stale_atomic_temps(const std::string& dir, bool recursive,
                                              const std::set<std::string>* only_keys) {
  namespace fs = std::filesystem;
  TempCleanup result;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return result;
  auto visit = [&](const fs::directory_entry& entry) -> Status {
    std::error_code entry_ec;
    if (!entry.is_regular_file(entry_ec) || entry.is_symlink(entry_ec)) return Status::ok();
    const std::string name = entry.path().filename().string();
    const auto owner = atomic_temp_owner(name);
    if (!owner) return Status::ok();
    if (only_keys && !only_keys->count(name.substr(0, name.rfind(kMarker) + std::string(kMarker).size())))
      return Status::ok();
    if (process_alive(*owner)) {
      ++result.kept_live;
      return Status::ok();
    }
    if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT)
      return internal_error(entry.path().string() + ": cannot remove a stale temporary file");
    ++result.removed;
    return Status::ok();
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec))
      TB_RETURN_IF_ERROR(visit(*it));
  } else {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      TB_RETURN_IF_ERROR(visit(*it));
  }
  if (ec) return internal_error(dir + ": cannot list the folder: " + ec.message());
  return result;
}

}  // namespace toonbox::image
