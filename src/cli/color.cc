#include "cli/color.h"

#include <unistd.h>

namespace toonbox::cli {

Result<ColorMode> parse_color_mode(const std::string& value) {
  if (value == "auto") return ColorMode::kAuto;
  if (value == "always") return ColorMode::kAlways;
  if (value == "never") return ColorMode::kNever;
  return invalid_argument("--color must be auto, always or never (got '" + value + "')");
}

bool use_color(ColorMode mode, int fd, const char* no_color) {
  if (mode != ColorMode::kAuto) return mode == ColorMode::kAlways;
  const bool no_color_set = no_color != nullptr && no_color[0] != '\0';
  return !no_color_set && isatty(fd);
}

}  // namespace toonbox::cli
