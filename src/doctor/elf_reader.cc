#include "doctor/elf_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "doctor/doctor_environment.h"

namespace toonbox::doctor {
namespace {

constexpr uint32_t kPtLoad = 1, kPtDynamic = 2;
constexpr int64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtSoname = 14,
                  kDtRpath = 15, kDtRunpath = 29;
constexpr size_t kElf64HeaderSize = 64, kPhdrSize = 56, kDynSize = 16;
constexpr uint16_t kMaxProgramHeaders = 4096;
constexpr uint64_t kMaxDynamicBytes = 1 << 20;
constexpr size_t kMaxString = 4096;

// ELF fields are decoded byte by byte so the reader does not depend on host endianness.
uint64_t le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

class FileSource : public ByteSource {
 public:
  explicit FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileSource() override { close(fd_); }
  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, size_t len, void* out) const override {
    if (offset > size_ || len > size_ - offset) return false;
    auto* dst = static_cast<char*>(out);
    while (len > 0) {
      const ssize_t got = pread(fd_, dst, len, static_cast<off_t>(offset));
      if (got <= 0) return false;
      dst += got;
      offset += static_cast<uint64_t>(got);
      len -= static_cast<size_t>(got);
    }
    return true;
  }

 private:
  int fd_;
  uint64_t size_;
};

class BufferSource : public ByteSource {
 public:
  explicit BufferSource(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  bool read(uint64_t offset, size_t len, void* out) const override {
    if (offset > bytes_.size() || len > bytes_.size() - offset) return false;
    std::memcpy(out, bytes_.data() + offset, len);
    return true;
  }

 private:
  std::string_view bytes_;
};

struct LoadSegment {
  uint64_t vaddr, offset, filesz;
};

std::string range(uint64_t offset, uint64_t len) {
  return "[" + std::to_string(offset) + ", " + std::to_string(offset + len) + ")";
}

// Reads a NUL-terminated string of at most kMaxString bytes inside [start, limit).
Result<std::string> read_string(const ByteSource& src, uint64_t start, uint64_t limit) {
  std::string out;
  char chunk[256];
  for (uint64_t pos = start; pos < limit && out.size() < kMaxString;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof chunk, limit - pos));
    if (!src.read(pos, n, chunk))
      return data_loss("string at offset " + std::to_string(start) +
                       " runs past the end of the file");
    const void* nul = std::memchr(chunk, '\0', n);
    if (nul) return out + std::string(chunk, static_cast<const char*>(nul) - chunk);
    out.append(chunk, n);
    pos += n;
  }
  return data_loss("unterminated string at offset " + std::to_string(start));
}

}  // namespace

Result<ElfDynamicInfo> read_elf_dynamic(const ByteSource& src) {
  unsigned char h[kElf64HeaderSize];
  if (src.size() < 4 || !src.read(0, 4, h) ||
      std::memcmp(h,
                  "\x7f"
                  "ELF",
                  4) != 0)
    return data_loss("not an ELF file (bad magic)");
  if (!src.read(0, kElf64HeaderSize, h))
    return data_loss("truncated ELF header: got " + std::to_string(src.size()) +
                     " bytes, expected >= 64");
  if (h[4] != 2)
    return unimplemented("only 64-bit ELF is supported (EI_CLASS " + std::to_string(h[4]) + ")");
  if (h[5] != 1) return unimplemented("only little-endian ELF is supported");
  const uint64_t phoff = le(h + 32, 8);
  const uint64_t phentsize = le(h + 54, 2);
  const uint64_t phnum = le(h + 56, 2);
  if (phentsize != kPhdrSize)
    return data_loss("program header size " + std::to_string(phentsize) + ", expected 56");
  if (phnum == 0 || phnum > kMaxProgramHeaders)
    return data_loss("program header count " + std::to_string(phnum) + " out of range");
  if (phoff > src.size() || phnum * kPhdrSize > src.size() - phoff)
    return data_loss("program headers " + range(phoff, phnum * kPhdrSize) + " beyond file size " +
                     std::to_string(src.size()));

  std::vector<LoadSegment> loads;
  uint64_t dyn_offset = 0, dyn_size = 0;
  bool has_dynamic = false;
  for (uint64_t i = 0; i < phnum; ++i) {
    unsigned char p[kPhdrSize];
    if (!src.read(phoff + i * kPhdrSize, kPhdrSize, p))
      return data_loss("truncated program header");
    const uint32_t type = static_cast<uint32_t>(le(p, 4));
    if (type == kPtLoad) loads.push_back({le(p + 16, 8), le(p + 8, 8), le(p + 32, 8)});
    if (type == kPtDynamic) {
      has_dynamic = true;
      dyn_offset = le(p + 8, 8);
      dyn_size = le(p + 32, 8);
    }
  }
  if (!has_dynamic)
    return data_loss("no PT_DYNAMIC segment: a static executable or not a shared object");
  if (dyn_size > kMaxDynamicBytes || dyn_offset > src.size() || dyn_size > src.size() - dyn_offset)
    return data_loss("dynamic segment " + range(dyn_offset, dyn_size) + " beyond file size " +
                     std::to_string(src.size()));

  std::vector<std::pair<int64_t, uint64_t>> entries;
  uint64_t strtab_addr = 0, strsz = 0;
  bool has_strtab = false;
  for (uint64_t off = 0; off + kDynSize <= dyn_size; off += kDynSize) {
    unsigned char d[kDynSize];
    if (!src.read(dyn_offset + off, kDynSize, d)) return data_loss("truncated dynamic entry");
    const auto tag = static_cast<int64_t>(le(d, 8));
    const uint64_t val = le(d + 8, 8);
    if (tag == kDtNull) break;
    if (tag == kDtStrtab) {
      strtab_addr = val;
      has_strtab = true;
    } else if (tag == kDtStrsz) {
      strsz = val;
    } else if (tag == kDtNeeded || tag == kDtSoname || tag == kDtRpath || tag == kDtRunpath) {
      entries.emplace_back(tag, val);
    }
  }
  ElfDynamicInfo info;
  if (entries.empty()) return info;
  if (!has_strtab) return data_loss("DT_NEEDED/DT_RUNPATH present but no DT_STRTAB");

  // DT_STRTAB is a virtual address; the loadable segment that maps it gives the offset.
  uint64_t strtab_offset = 0;
  bool mapped = false;
  for (const LoadSegment& s : loads) {
    if (strtab_addr >= s.vaddr && strtab_addr - s.vaddr < s.filesz) {
      strtab_offset = s.offset + (strtab_addr - s.vaddr);
      mapped = true;
      break;
    }
  }
  if (!mapped)
    return data_loss("DT_STRTAB address " + std::to_string(strtab_addr) +
                     " is in no loadable segment");
  if (strtab_offset > src.size() || strsz > src.size() - strtab_offset)
    return data_loss("string table " + range(strtab_offset, strsz) + " beyond file size " +
                     std::to_string(src.size()));

  for (const auto& [tag, val] : entries) {
    if (val >= strsz)
      return data_loss("dynamic string offset " + std::to_string(val) +
                       " outside the string table (size " + std::to_string(strsz) + ")");
    TB_ASSIGN_OR_RETURN(std::string s,
                        read_string(src, strtab_offset + val, strtab_offset + strsz));
    if (tag == kDtNeeded) info.needed.push_back(s);
    if (tag == kDtSoname) info.soname = s;
    if (tag == kDtRpath) info.rpath = split_path_list(s);
    if (tag == kDtRunpath) info.runpath = split_path_list(s);
  }
  return info;
}

Result<ElfDynamicInfo> read_elf_dynamic_file(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return not_found(path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return invalid_argument(path + ": not a regular file");
  }
  FileSource src(fd, static_cast<uint64_t>(st.st_size));
  Result<ElfDynamicInfo> r = read_elf_dynamic(src);
  if (!r.is_ok()) return r.status().with_context(path);
  return r;
}

Result<ElfDynamicInfo> read_elf_dynamic_bytes(std::string_view bytes) {
  return read_elf_dynamic(BufferSource(bytes));
}

}  // namespace toonbox::doctor
