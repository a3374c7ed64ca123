// A small, strict command-line parser: unknown flags are errors, never ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::cli {

struct ArgSpec {
  std::string name;        // "--device"
  bool takes_value = false;
  std::string short_name = {};  // "-o", optional (defaulted, so specs may omit it)
  // The value is a positional argument under another name: `-i in.jpg` is `in.jpg` (as
  // realesrgan-ncnn-vulkan users type it). Kept in order, and may be repeated.
  bool positional_alias = false;
};

// `-i/--input PATH`: INPUT by name, for every image command.
inline const ArgSpec kInputAlias{"--input", true, "-i", true};

struct ParsedArgs {
  std::map<std::string, std::string> options;  // keyed by long name
  std::set<std::string> flags;
  std::vector<std::string> positional;

  bool has(const std::string& name) const { return flags.count(name) || options.count(name); }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
};

// Accepts "--name value", "--name=value" and short aliases; "--" ends options.
Result<ParsedArgs> parse_args(const std::vector<std::string>& argv, const std::vector<ArgSpec>& spec);

}  // namespace toonbox::cli
