// The names atomic_write_file gives its temporary files, and cleaning up the ones a
// killed process left behind. One definition of the pattern, so a cleanup can never
// delete a file the writer did not create.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/status.h"

namespace toonbox::image {

// ".NAME.toonbox-PID-RANDOM16HEX.tmp" for target file NAME (truncated to keep the whole
// within NAME_MAX): hidden, so globs and our own folder scans skip it, and carrying the
// writer's PID so a later run can tell a crash leftover from a write in progress.
std::string atomic_temp_name(const std::string& target_name, long pid, uint64_t random);

// The writer's PID if `file_name` (no directory part) has exactly that pattern.
std::optional<long> atomic_temp_owner(const std::string& file_name);

struct TempCleanup {
  int removed = 0;
  int kept_live = 0;  // temp files whose writer is still running (another toonbox)
};

// The part of a temporary name that comes from its target (".NAME.toonbox-"): equal for
// every temporary file of one target, whichever process wrote it.
std::string atomic_temp_key(const std::string& target_name);

// Removes temporary files of the pattern above in `dir` (and its subfolders when
// `recursive`) whose writing process no longer exists. Only that pattern; symlinked
// folders are not followed. A missing `dir` is not an error. With `only_keys`, only the
// temporary files of those targets (atomic_temp_key) are looked at: on a filesystem
// shared by several machines a PID means nothing on another host, so each shard of a
// run cleans up only after its own outputs.
Result<TempCleanup> remove_stale_atomic_temps(const std::string& dir, bool recursive,
                                              const std::set<std::string>* only_keys = nullptr);

}  // namespace toonbox::image
