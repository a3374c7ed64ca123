// What happens to a stylized image before it is sent: strength and size
// (pipeline/finishing.h), then encoding; and names and errors for clients.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "image/image.h"
#include "pipeline/cartoonizer.h"
#include "pipeline/finishing.h"
#include "server/request_params.h"

namespace toonbox::server {

using toonbox::blend_with_original;  // pipeline/finishing.h, shared with the CLI
using toonbox::output_size;

// blend -> resize -> encode. The output size is checked against max_pixels before any
// resampling memory is allocated.
Result<std::vector<uint8_t>> finish_image(const Image& original, const Image& stylized,
                                          const CartoonizeParams& params, int64_t max_pixels,
                                          int* out_width = nullptr, int* out_height = nullptr);

// A decoding failure in words for someone who uploaded a file: anything that is not a
// readable JPEG/PNG/WebP (corrupt, truncated, another format) becomes kDataLoss with
// "this file is not an image toonbox can read"; limits and other errors pass unchanged.
Status explain_decode_error(const Status& status);

// The estimated peak memory of stylizing and encoding an image with this header
// (memory_budget.h), for admission before it is decoded.
size_t request_memory_bytes(const ImageInfo& info, const CartoonizeParams& params, const Cartoonizer& model,
                            int tile_size);

// The refusal for an estimate over the per-request limit (kResourceExhausted: 413).
Status over_request_memory(const ImageInfo& info, size_t estimate, size_t limit);

// A download name derived from a client's file name: only [A-Za-z0-9._-], no leading dot,
// at most 80 characters, the extension replaced by `extension`. Used in
// Content-Disposition and job listings, never as a path on the server.
std::string download_name(const std::string& client_name, const std::string& suffix,
                          const std::string& extension);

}  // namespace toonbox::server
