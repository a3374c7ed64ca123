#include "server/results_zip.h"

#include <zip.h>

#include <cctype>
#include <memory>
#include <set>

namespace toonbox::server {

namespace {

std::string libzip_error(const char* what, zip_error_t* err) {
  return std::string("building the zip: ") + what + ": " + zip_error_strerror(err);
}

// Split "name.ext" into "name" and ".ext" (no extension: "").
void split_extension(const std::string& name, std::string* stem, std::string* ext) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) {
    *stem = name;
    ext->clear();
  } else {
    *stem = name.substr(0, dot);
    *ext = name.substr(dot);
  }
}

}  // namespace

std::string safe_zip_entry_name(const std::string& name) {
  // Only the last path component: a name with folders or ".." must not unzip outside
  // the folder the user unzips into (zip slip).
  std::string base = name;
  const size_t slash = base.find_last_of("/\\");
  if (slash != std::string::npos) base = base.substr(slash + 1);
  std::string safe;
  for (unsigned char c : base) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') safe += static_cast<char>(c);
    else if (!safe.empty() && safe.back() != '_') safe += '_';
  }
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());
  if (safe.size() > 120) safe.erase(0, safe.size() - 120);  // keep the extension
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());
  return safe.empty() ? "file" : safe;
}

std::vector<std::string> unique_zip_entry_names(const std::vector<std::string>& names) {
  std::set<std::string> used;
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const std::string& raw : names) {
    const std::string name = safe_zip_entry_name(raw);
    std::string candidate = name;
    if (used.count(candidate)) {
      std::string stem, ext;
      split_extension(name, &stem, &ext);
      for (int i = 2; used.count(candidate); ++i) candidate = stem + "-" + std::to_string(i) + ext;
    }
    used.insert(candidate);
    out.push_back(candidate);
  }
  return out;
}

Result<std::string> build_results_zip(std::vector<ZipEntry> entries) {
  // libzip writes nothing at all for an archive without entries.
  if (entries.empty()) return invalid_argument("no results to put in a zip");
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (const ZipEntry& e : entries) names.push_back(e.name);
  names = unique_zip_entry_names(names);

  zip_error_t err;
  zip_error_init(&err);
  // The archive is written into a growing memory buffer that we keep past zip_close.
  std::unique_ptr<zip_source_t, void (*)(zip_source_t*)> out(zip_source_buffer_create(nullptr, 0, 0, &err),
                                                              zip_source_free);
  if (!out) {
    const std::string m = libzip_error("memory buffer", &err);
    zip_error_fini(&err);
    return internal_error(m);
  }
  zip_t* za = zip_open_from_source(out.get(), ZIP_TRUNCATE, &err);
  if (!za) {
    const std::string m = libzip_error("open", &err);
    zip_error_fini(&err);
    return internal_error(m);
  }
  zip_error_fini(&err);
  zip_source_keep(out.get());  // zip_close frees the source it was opened on otherwise

  auto fail = [&](const char* what) -> Status {
    const std::string m = std::string("building the zip: ") + what + ": " + zip_strerror(za);
    zip_discard(za);
    return internal_error(m);
  };
  for (size_t i = 0; i < entries.size(); ++i) {
    zip_source_t* src = zip_source_buffer(za, entries[i].data, entries[i].size, 0);
    if (!src) return fail("entry source");
    const zip_int64_t index = zip_file_add(za, names[i].c_str(), src, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(src);
      return fail("add entry");
    }
    const auto idx = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(za, idx, ZIP_CM_STORE, 0) != 0) return fail("stored entry");
    if (zip_file_set_mtime(za, idx, entries[i].mtime, 0) != 0) return fail("entry time");
  }
  if (zip_close(za) != 0) return fail("write");

  // Copy the finished archive out of libzip's buffer.
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(out.get(), &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    return internal_error("building the zip: no size for the finished archive");
  if (zip_source_open(out.get()) != 0) return internal_error("building the zip: cannot read it back");
  std::string bytes(static_cast<size_t>(st.size), '\0');
  const zip_int64_t got = zip_source_read(out.get(), bytes.data(), st.size);
  zip_source_close(out.get());
  if (got != static_cast<zip_int64_t>(st.size)) return internal_error("building the zip: short read of the archive");
  return bytes;
}

}  // namespace toonbox::server
