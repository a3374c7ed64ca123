// A single-image command's INPUT and OUTPUT: a file, or `-` for stdin/stdout, so toonbox
// sits in a pipe (`curl ... | toonbox cartoonize - -o - --format png | ...`).
#pragma once

#include <string>

#include "core/status.h"
#include "image/image.h"
#include "image/image_io.h"

namespace toonbox::cli {

// `-` as INPUT is stdin, as OUTPUT stdout.
bool is_stdio(const std::string& path);

// What messages call INPUT/OUTPUT: the path, or "stdin"/"stdout" for `-`.
std::string input_label(const std::string& input);
std::string output_label(const std::string& output);

// Reads and decodes INPUT: a file (image::read_image_file) or all of stdin, capped at the
// same image::max_image_file_bytes as a file. The format is sniffed from the bytes. Every
// error names the file (or stdin) and the problem. Called before any model is loaded, so a
// missing, unreadable or corrupt input costs nothing.
Result<image::Image> read_input_image(const std::string& input, const image::DecodeOptions& opts);

// Encodes completely first, then writes: atomically to a file, or to stdout — so a failed
// encode never leaves part of an image in a pipe.
Status write_output_image(const std::string& output, const image::Image& img,
                          const image::EncodeOptions& opts);

}  // namespace toonbox::cli
