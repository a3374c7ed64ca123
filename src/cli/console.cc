#include "cli/console.h"

#include <cstdarg>

namespace toonbox::cli {

Result<Verbosity> parse_verbosity(const ParsedArgs& a) {
  if (a.has("--quiet") && a.has("--verbose"))
    return invalid_argument("-q/--quiet and -v/--verbose contradict each other: pick one");
  if (a.has("--quiet")) return Verbosity::kQuiet;
  return a.has("--verbose") ? Verbosity::kVerbose : Verbosity::kNormal;
}

void Console::status(const char* format, ...) const {
  if (quiet()) return;
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
}

void Console::result(const char* format, ...) const {
  if (quiet()) return;
  va_list args;
  va_start(args, format);
  std::vfprintf(result_stream(), format, args);
  va_end(args);
}

void Console::detail(const char* format, ...) const {
  if (!verbose()) return;
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
}

}  // namespace toonbox::cli
