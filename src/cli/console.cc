#include "cli/console.h"

#include <cstdarg>

namespace toonbox::cli {

void Console::status(const char* format, ...) const {
  va_list args;
  va_start(args, format);
  std::vfprintf(status_stream(), format, args);
  va_end(args);
  // A status line is there to be seen while the work runs, not when it ends.
  std::fflush(status_stream());
}

void Console::result(const char* format, ...) const {
  va_list args;
  va_start(args, format);
  std::vfprintf(result_stream(), format, args);
  va_end(args);
}

}  // namespace toonbox::cli
