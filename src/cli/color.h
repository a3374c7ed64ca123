// Whether a command colours its output: `--color=always|never|auto`; auto (the default)
// colours only a terminal, and only when NO_COLOR is unset or empty (https://no-color.org).
// An explicit --color=always wins over NO_COLOR, as that convention allows.
#pragma once

#include <string>

#include "core/status.h"

namespace toonbox::cli {

enum class ColorMode { kAuto, kAlways, kNever };

Result<ColorMode> parse_color_mode(const std::string& value);

// `no_color` is NO_COLOR's value (nullptr when unset); `fd` the stream to colour.
bool use_color(ColorMode mode, int fd, const char* no_color);

}  // namespace toonbox::cli
