// Files built into the binary by embed_files.cmake: the web page (web/) and the OpenAPI
// document (docs/openapi.json), so `toonbox serve` needs nothing on disk.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace toonbox::server {

struct EmbeddedFile {
  const char* name;  // "index.html", "openapi.json"
  const unsigned char* data;
  size_t size;
  std::string_view view() const { return {reinterpret_cast<const char*>(data), size}; }
};

const std::vector<EmbeddedFile>& embedded_files();

// nullptr when no such file was embedded.
inline const EmbeddedFile* find_embedded_file(std::string_view name) {
  for (const EmbeddedFile& f : embedded_files())
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace toonbox::server
