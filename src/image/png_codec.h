// PNG through libpng. Internal to src/image; use image.h / image_io.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::image {

// Orientation comes from an eXIf chunk before the image data (libpng's png_get_eXIf_1);
// one placed after IDAT is not seen, because reading it would mean decoding first.
Result<ImageInfo> probe_png(const uint8_t* data, size_t size);

// Stored orientation. Palette, grayscale (any depth), 16-bit (rounded, not truncated) and
// interlaced images become 8-bit RGB; an alpha channel or tRNS chunk becomes the alpha
// plane. Checks max_pixels from IHDR before allocating pixels.
Result<Image> decode_png(const uint8_t* data, size_t size, int64_t max_pixels);

// 8-bit RGB, or RGBA when the image has alpha.
Result<std::vector<uint8_t>> encode_png(const Image& img);

}  // namespace toonbox::image
