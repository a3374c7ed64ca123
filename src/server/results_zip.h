// The zip of a job's results (GET /api/v1/jobs/{id}/results.zip), built with libzip.
// Entries are stored, not deflated: the images are compressed already, and storing keeps
// building the archive a copy rather than a CPU job. Each entry carries its result's real
// modification time (the browser-built zip the page used before dated every entry
// 1980-00-00, issue 20).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::server {

struct ZipEntry {
  std::string name;              // made safe and unique by build_results_zip
  const uint8_t* data = nullptr;  // not owned: must outlive the call
  size_t size = 0;
  std::time_t mtime = 0;          // wall-clock time the result was finished
};

// A name safe as a zip entry on every unzip tool: one path component, no leading dot,
// letters, digits, '-', '_' and '.' only, at most 120 bytes; "file" when nothing is left.
std::string safe_zip_entry_name(const std::string& name);

// Safe names, and the second and later uses of a name get "-2", "-3", ... before the
// extension, so no entry hides another when unzipped.
std::vector<std::string> unique_zip_entry_names(const std::vector<std::string>& names);

// The archive's bytes. Memory: the archive once (libzip's buffer) plus its copy in the
// returned string, about twice the entries' bytes (callers reserve that).
Result<std::string> build_results_zip(std::vector<ZipEntry> entries);

}  // namespace toonbox::server
