#include "cli/malloc_policy.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace toonbox::cli {

namespace {
constexpr int kMmapThreshold = 32 << 20;  // glibc's largest dynamic threshold (64-bit)
constexpr int kTrimThreshold = 1 << 30;
}  // namespace

void keep_freed_memory_in_malloc() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "glibc.malloc.") != nullptr) return;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

}  // namespace toonbox::cli
