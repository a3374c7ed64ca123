// The command line of every `toonbox <command>`: each command declares its options as a
// table of ArgSpec (which also feeds shell completion and, where every option has a
// description, the option list of --help: option_help.h), and parse_args has CLI11 parse
// argv against it. Strict: an unknown option is an error, never ignored, with a "did you
// mean" suggestion when it is close to a known one.
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
  // For the generated --help (option_help.h): what the value is ("PATH", "N"; only for
  // takes_value) and what the option does (may hold '\n' for more lines).
  std::string value_name = {};
  std::string help = {};
};

// `-i/--input PATH`: INPUT by name, for every image command.
inline const ArgSpec kInputAlias{"--input", true, "-i", true, "PATH",
                                 "INPUT by name (as realesrgan-ncnn-vulkan takes it); may be repeated"};

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

// Accepts "--name value", "--name=value", short aliases ("-o out", "-oout", "-qv" for two
// flags); "--" ends options. An option given twice keeps its last value. A value may
// start with '-' (`--tile -1`, `-o -`). Errors (kInvalidArgument) name the option: unknown
// (with "did you mean"), missing its value, or a flag given a value.
Result<ParsedArgs> parse_args(const std::vector<std::string>& argv, const std::vector<ArgSpec>& spec);

}  // namespace toonbox::cli
