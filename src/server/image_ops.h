// The HTTP side of an image: the output-size check made before any work, names and
// errors for clients. (Strength and size are the pipeline's, as on the command line.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "image/image.h"
#include "pipeline/model_runner.h"
#include "pipeline/finishing.h"
#include "server/request_params.h"

namespace toonbox::server {

// A width x height image's output under `params` (long_side) must stay within
// max_pixels: checked after decoding, before the image is queued.
Status check_output_size(int width, int height, const CartoonizeParams& params, int64_t max_pixels);

// A decoding failure in words for someone who uploaded a file: anything that is not a
// readable JPEG/PNG/WebP (corrupt, truncated, another format) becomes kDataLoss with
// "this file is not an image toonbox can read"; limits and other errors pass unchanged.
Status explain_decode_error(const Status& status);

// The estimated peak memory of stylizing and encoding an image with this header
// (memory_budget.h), for admission before it is decoded.
size_t request_memory_bytes(const image::ImageInfo& info, const CartoonizeParams& params,
                            const pipeline::ModelRunner& model, int tile_size);

// The refusal for an estimate over the per-request limit (kResourceExhausted: 413).
Status over_request_memory(const image::ImageInfo& info, size_t estimate, size_t limit);

// A download name derived from a client's file name: only [A-Za-z0-9._-], no leading dot,
// at most 80 characters, the extension replaced by `extension`. Used in
// Content-Disposition and job listings, never as a path on the server.
std::string download_name(const std::string& client_name, const std::string& suffix,
                          const std::string& extension);

}  // namespace toonbox::server
