// Checks every single-image command (`cartoonize`, `restore`, `upscale`, `inpaint`) makes
// before it loads a model, so a typo never costs a model load or leaves anything behind.
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

// INPUT is one image (a file or `-`): the folder-only flags are refused, and --json with
// `-o -` (both would be on stdout); then OUTPUT is checked as below. Returns OUTPUT's
// format (output_format).
Result<image::ImageFormat> check_single_image_args(const ParsedArgs& args, const std::string& input,
                                                   const std::string& output);

// "png", "jpg", "jpeg", "webp" (a --format value) -> the format; anything else is refused.
Result<image::ImageFormat> parse_format_name(const std::string& name);

// The format OUTPUT is written in: --format when given, else OUTPUT's extension. `-o -`
// (stdout) has no extension, so it needs --format.
Result<image::ImageFormat> output_format(const ParsedArgs& args, const std::string& output);

// OUTPUT is not INPUT, and OUTPUT does not exist unless `overwrite` (nothing to check for
// stdout).
Status check_output_path(const std::string& input, const std::string& output, bool overwrite);

// --max-pixels (a positive integer) into DecodeOptions.
Result<image::DecodeOptions> parse_decode_options(const ParsedArgs& args);

// --quality 1..100 (default 92).
Result<int> parse_quality(const ParsedArgs& args);

}  // namespace toonbox::cli
