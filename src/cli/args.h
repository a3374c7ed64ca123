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

// Options several image commands take with the same meaning and the same words.
inline const ArgSpec kPrecisionOption{"--precision", true, "", false, "P",
                                      "auto (default: fp16 on GPU, fp32 on CPU), fp32, tf32 (GPU) or fp16"};
inline const ArgSpec kMaxPixelsOption{"--max-pixels", true, "", false, "N",
                                      "refuse images larger than N pixels (default 50000000)"};
// --device for a command whose folders spread over several devices.
inline const ArgSpec kDeviceListOption{"--device", true, "", false, "D",
                                       "auto (default), cpu, cuda or cuda:N; folders also take a list:\ncuda:0,1 / cuda:all / cpu,cpu (one worker per device)"};
inline const ArgSpec kQualityOption{"--quality", true, "", false, "Q", "JPEG/WebP quality 1..100 (default 92)"};
inline const ArgSpec kOverwriteOption{"--overwrite", false, "", false, "",
                                      "replace OUTPUT if it exists (never the input)"};
inline const ArgSpec kJsonResultOption{"--json", false, "", false, "",
                                       "print one JSON object with the result on stdout (folders: one JSON\nline per image and a summary line)"};

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
