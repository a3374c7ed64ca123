// WebP through libwebp. Internal to src/image; use image.h / image_io.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::image {

// Animated WebP is refused (kUnimplemented) here already, so callers that only probe learn
// early that the file cannot be processed. Orientation comes from an EXIF chunk.
Result<ImageInfo> probe_webp(const uint8_t* data, size_t size);

// Stored orientation; RGB, plus the alpha plane when the bitstream has alpha. Checks
// max_pixels from the header before allocating pixels.
Result<Image> decode_webp(const uint8_t* data, size_t size, int64_t max_pixels);
// The same, and the ICCP chunk's profile in *icc_profile, still to be applied
// (icc_profile.h), or empty when there is none.
Result<Image> decode_webp(const uint8_t* data, size_t size, int64_t max_pixels,
                          std::vector<uint8_t>* icc_profile);

// Lossy at quality 1..99; lossless at 100 (with RGB under transparent pixels kept exactly,
// since alpha is passed through and may be edited later).
Result<std::vector<uint8_t>> encode_webp(const Image& img, int quality);

}  // namespace toonbox::image
