// Checks every single-image command (`cartoonize`, `restore`) makes before it loads a
// model, so a typo never costs a model load or leaves anything behind.
#pragma once

#include <string>

#include "cli/args.h"
#include "image/image.h"

namespace toonbox::cli {

// Prints a command's failure: the message on stderr ("toonbox COMMAND: ...") and, with
// --json, {"ok":false,"error","code"} (and "device" when given) on stdout. Returns
// `exit_code`.
int report_failure(const char* command, bool json, const Status& s, int exit_code,
                   const std::string& device_line = "");

// INPUT is one image: the folder-only flags are refused, then OUTPUT is checked as below.
Status check_single_image_args(const ParsedArgs& args, const std::string& input, const std::string& output);

// OUTPUT's extension is a known format, OUTPUT is not INPUT, and OUTPUT does not exist
// unless `overwrite`.
Status check_output_path(const std::string& input, const std::string& output, bool overwrite);

// --max-pixels (a positive integer) into DecodeOptions.
Result<image::DecodeOptions> parse_decode_options(const ParsedArgs& args);

// --quality 1..100 (default 92).
Result<int> parse_quality(const ParsedArgs& args);

}  // namespace toonbox::cli
