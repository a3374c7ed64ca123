// JPEG through libjpeg(-turbo). Internal to src/image; use image.h / image_io.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::image {

Result<ImageInfo> probe_jpeg(const uint8_t* data, size_t size);

// Stored orientation (EXIF is not applied here). Grayscale, RGB, YCbCr, CMYK and YCCK
// become RGB. Checks max_pixels from the header before allocating pixels.
Result<Image> decode_jpeg(const uint8_t* data, size_t size, int64_t max_pixels);
// The same, and the embedded ICC profile (APP2 ICC_PROFILE chunks) in *icc_profile, still
// to be applied (icc_profile.h), or empty when there is none. A CMYK profile on CMYK
// pixels is applied here, while the pixels are still CMYK, and not returned.
Result<Image> decode_jpeg(const uint8_t* data, size_t size, int64_t max_pixels,
                          std::vector<uint8_t>* icc_profile);

// Baseline-compatible, Huffman-optimized; 4:2:0 chroma below quality 90, else 4:4:4.
// Alpha is dropped.
Result<std::vector<uint8_t>> encode_jpeg(const Image& img, int quality);

}  // namespace toonbox::image
