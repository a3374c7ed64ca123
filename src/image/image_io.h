// Image files on disk: reading with size limits, encoding, and atomic writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::image {

// Reads a whole regular file. Refuses directories, devices, FIFOs and files larger than
// max_bytes (kResourceExhausted). Every error message starts with the path.
Result<std::vector<uint8_t>> read_file(const std::string& path, size_t max_bytes);

// read_file + decode_image. The format comes from the bytes, not the extension. Every
// error message starts with the path. Files larger than max_image_file_bytes(opts) are
// refused before they are read.
Result<Image> read_image_file(const std::string& path, const DecodeOptions& opts);

// A decoder's refusal (an unknown format, a truncated or corrupt file) with the code every
// front end reports for it: kDataLoss ("corrupt_image" in the API and in the CLI's and
// folders' JSON), the message unchanged. Other errors (a missing file, a pixel limit)
// are returned as they are.
Status as_unreadable_image(const Status& decode_error);

// The largest file read_image_file accepts: enough for an uncompressed 16-bit RGBA PNG at
// the pixel limit plus metadata, so a legitimate image is never refused for its size.
size_t max_image_file_bytes(const DecodeOptions& opts);

struct EncodeOptions {
  ImageFormat format = ImageFormat::kPng;
  int quality = 92;  // 1..100, used by JPEG and WebP; WebP at 100 is lossless
};

// JPEG has no alpha channel: the alpha plane is dropped (not composited over a background).
// PNG and WebP keep it.
Result<std::vector<uint8_t>> encode_image(const Image& img, const EncodeOptions& opts);

// For naming OUTPUT files only (inputs are sniffed): .jpg/.jpeg/.png/.webp in any case,
// else kUnknown.
ImageFormat format_from_extension(const std::string& path);

// Writes to a temporary file in the same directory, fsyncs it, renames it over path and
// fsyncs the directory, so readers see either the old file or the complete new one. On
// failure the temporary file is removed and path is untouched; the one exception is a
// failed directory sync after the rename, which is still reported (the new file is complete
// but may not survive a crash). Every error message starts with the path.
Status atomic_write_file(const std::string& path, const std::vector<uint8_t>& bytes);

// Encodes in the format named by the extension (an unknown extension is kInvalidArgument)
// and writes atomically. It does not check whether path is one of the inputs; callers that
// must not overwrite inputs check that themselves.
Status write_image_file(const std::string& path, const Image& img, int quality = 92);

}  // namespace toonbox::image
