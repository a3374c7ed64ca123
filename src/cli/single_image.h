// Checks every single-image command (`cartoonize`, `restore`) makes before it loads a
// model, so a typo never costs a model load or leaves anything behind.
#pragma once

#include <string>

#include "cli/args.h"
#include "image/image.h"

namespace toonbox::cli {

// OUTPUT's extension is a known format, OUTPUT is not INPUT, and OUTPUT does not exist
// unless `overwrite`.
Status check_output_path(const std::string& input, const std::string& output, bool overwrite);

// --max-pixels (a positive integer) into DecodeOptions.
Result<DecodeOptions> parse_decode_options(const ParsedArgs& args);

// --quality 1..100 (default 92).
Result<int> parse_quality(const ParsedArgs& args);

}  // namespace toonbox::cli
