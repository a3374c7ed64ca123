// A minimal, bounds-checked reader for the dynamic section of ELF64 shared objects:
// what a library needs (DT_NEEDED) and where it asks the loader to look (DT_RUNPATH,
// DT_RPATH). Files are untrusted input: every offset and size is checked against the
// file before it is used, and only the few bytes needed are read (libtorch_cuda.so is
// about a gigabyte).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace toonbox::doctor {

struct ElfDynamicInfo {
  std::string soname;
  std::vector<std::string> needed;   // DT_NEEDED, in order
  std::vector<std::string> rpath;    // DT_RPATH entries (ignored by ld.so when RUNPATH exists)
  std::vector<std::string> runpath;  // DT_RUNPATH entries
};

// Positioned reads over a file or a byte buffer.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly len bytes at offset; false when the range is outside the source.
  virtual bool read(uint64_t offset, size_t len, void* out) const = 0;
};

Result<ElfDynamicInfo> read_elf_dynamic(const ByteSource& source);
Result<ElfDynamicInfo> read_elf_dynamic_file(const std::string& path);
Result<ElfDynamicInfo> read_elf_dynamic_bytes(std::string_view bytes);

}  // namespace toonbox::doctor
