// Shared by the fuzz harnesses: a private scratch folder for harnesses whose code under
// test reads files (the TF.js and ONNX importers take paths), and a check that aborts
// (which libFuzzer and the replay driver report as a crash) when an invariant fails.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace toonbox::fuzz {

// Aborts with a message: a result the code under test must never produce.
#define TOONBOX_FUZZ_CHECK(cond)                                                          \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

// One folder per process, under /dev/shm when it exists (no disk I/O per input).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::exists("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::filesystem::path d = base / ("toonbox-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d, ec);
    return d;
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Inputs that carry two files (TF.js: model.json and a weights shard) separate them
// with this marker; without it the whole input is the first file.
inline constexpr std::string_view kFileSeparator = "\n--toonbox-fuzz-next-file--\n";

}  // namespace toonbox::fuzz
