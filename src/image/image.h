// Decoded images and the format-independent entry points for decoding.
//
// Image files are untrusted input: every decoder checks the pixel count from the header
// against DecodeOptions::max_pixels before it allocates pixel memory, and reports corrupt
// or truncated data as kDataLoss instead of returning padded or partial pixels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace toonbox::image {

enum class ImageFormat { kUnknown, kJpeg, kPng, kWebp };

// "jpeg", "png", "webp" or "unknown".
const char* image_format_name(ImageFormat f);

// 8-bit sRGB pixels. Alpha is kept apart from colour because the models only see RGB;
// the alpha plane is carried through the pipeline untouched and re-attached on encode.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;    // width*height*3, row-major, sRGB 8-bit
  std::vector<uint8_t> alpha;  // empty when the source has no alpha, else width*height
  bool has_alpha() const { return !alpha.empty(); }
};

// What the header says. width/height are the stored dimensions, before EXIF orientation;
// orientations 5..8 swap them when decode_image applies the orientation.
struct ImageInfo {
  ImageFormat format;
  int width, height;
  int channels;   // source channels: 1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha or CMYK
  int bit_depth;  // bits per source sample (1, 2, 4, 8 or 16)
  bool has_alpha;
  int exif_orientation;  // 1..8, 1 if none
};

struct DecodeOptions {
  int64_t max_pixels = 50'000'000;
  bool apply_exif_orientation = true;
};

// By magic bytes only; never by file name.
ImageFormat sniff_format(const uint8_t* data, size_t size);

// Reads the header only; allocates no pixel memory.
Result<ImageInfo> probe_image(const uint8_t* data, size_t size);

Result<Image> decode_image(const uint8_t* data, size_t size, const DecodeOptions& opts);

}  // namespace toonbox::image
