// Where a command's own lines go, one rule for every image command (docs/cli.md):
// results — the file written, the figures asked for — on stdout; status — model, device,
// notes, progress — on stderr, so `toonbox ... > log` keeps the results and a terminal
// still shows what is happening. When stdout carries the image itself (`-o -`), results go
// to stderr too, so the pipe holds nothing but the image's bytes. -q prints neither (errors
// and --json's objects still come); -v adds details (timings, the device's reason).
#pragma once

#include <cstdio>

#include "cli/args.h"
#include "core/status.h"

namespace toonbox::cli {

enum class Verbosity { kQuiet, kNormal, kVerbose };

// -q/--quiet and -v/--verbose for an image command's spec; both at once are refused.
inline const ArgSpec kQuietFlag{"--quiet", false, "-q"};
inline const ArgSpec kVerboseFlag{"--verbose", false, "-v"};
Result<Verbosity> parse_verbosity(const ParsedArgs& args);

class Console {
 public:
  Console(bool image_on_stdout, Verbosity verbosity)
      : image_on_stdout_(image_on_stdout), verbosity_(verbosity) {}

  // The model, the device, notes: what the run is doing.
  void status(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  // The file written and the figures asked for (--timings).
  void result(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  // Status only -v asks for.
  void detail(const char* format, ...) const __attribute__((format(printf, 2, 3)));

  bool quiet() const { return verbosity_ == Verbosity::kQuiet; }
  bool verbose() const { return verbosity_ == Verbosity::kVerbose; }

 private:
  FILE* result_stream() const { return image_on_stdout_ ? stderr : stdout; }

  bool image_on_stdout_;
  Verbosity verbosity_;
};

}  // namespace toonbox::cli
