// PNG: decoding through libpng (png_codec.cc), encoding through libdeflate (png_encoder.cc). Internal to src/image; use image.h / image_io.h.
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
// The same, and the colour space the file declares in *icc_profile, still to be applied
// (icc_profile.h): its iCCP profile, or one built from gAMA/cHRM; empty for sRGB (an sRGB
// chunk, or no colour chunks at all).
Result<Image> decode_png(const uint8_t* data, size_t size, int64_t max_pixels,
                         std::vector<uint8_t>* icc_profile);

// 8-bit RGB, or RGBA when the image has alpha.
Result<std::vector<uint8_t>> encode_png(const Image& img);

}  // namespace toonbox::image
