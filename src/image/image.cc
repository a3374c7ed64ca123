#include "image/image.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "image/icc_profile.h"
#include "image/jpeg_codec.h"
#include "image/orientation.h"
#include "image/pixel_limits.h"
#include "image/png_codec.h"
#include "image/webp_codec.h"

namespace toonbox::image {
namespace {

bool starts_with(const uint8_t* data, size_t size, const char* magic, size_t length,
                 size_t offset = 0) {
  return size >= offset + length && std::memcmp(data + offset, magic, length) == 0;
}

// Formats people commonly feed in by mistake; naming them beats "unknown".
const char* other_format_name(const uint8_t* data, size_t size) {
  if (starts_with(data, size, "GIF87a", 6) || starts_with(data, size, "GIF89a", 6)) return "GIF";
  if (starts_with(data, size, "BM", 2)) return "BMP";
  if (starts_with(data, size, "II*\0", 4) || starts_with(data, size, "MM\0*", 4)) return "TIFF";
  if (starts_with(data, size, "ftypavif", 8, 4) || starts_with(data, size, "ftypavis", 8, 4)) {
    return "AVIF";
  }
  if (starts_with(data, size, "ftyphei", 7, 4) || starts_with(data, size, "ftypmif1", 8, 4)) {
    return "HEIF/HEIC";
  }
  if (starts_with(data, size, "\xFF\x0A", 2) ||
      starts_with(data, size, "\0\0\0\x0CJXL \r\n\x87\n", 12)) {
    return "JPEG XL";
  }
  return nullptr;
}

Status unknown_format(const uint8_t* data, size_t size) {
  if (size == 0) return data_loss("no image data (0 bytes)");
  if (const char* other = other_format_name(data, size)) {
    return unimplemented(std::string(other) +
                         " images are not supported (expected JPEG, PNG or WebP)");
  }
  std::string hex;
  for (size_t i = 0; i < size && i < 8; ++i) {
    char byte[4];
    std::snprintf(byte, sizeof(byte), i == 0 ? "%02x" : " %02x", data[i]);
    hex += byte;
  }
  return invalid_argument("unknown image format (expected JPEG, PNG or WebP; first bytes " + hex +
                          ")");
}

Result<ImageInfo> probe_by_format(const uint8_t* data, size_t size) {
  switch (sniff_format(data, size)) {
    case ImageFormat::kJpeg:
      return probe_jpeg(data, size);
    case ImageFormat::kPng:
      return probe_png(data, size);
    case ImageFormat::kWebp:
      return probe_webp(data, size);
    case ImageFormat::kUnknown:
      break;
  }
  return unknown_format(data, size);
}

}  // namespace

const char* image_format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kWebp:
      return "webp";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

ImageFormat sniff_format(const uint8_t* data, size_t size) {
  if (data == nullptr) return ImageFormat::kUnknown;
  if (starts_with(data, size, "\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (starts_with(data, size, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::kPng;
  if (starts_with(data, size, "RIFF", 4) && starts_with(data, size, "WEBP", 4, 8)) {
    return ImageFormat::kWebp;
  }
  return ImageFormat::kUnknown;
}

Result<ImageInfo> probe_image(const uint8_t* data, size_t size) {
  Result<ImageInfo> info = probe_by_format(data, size);
  if (!info.is_ok()) return info;
  // Decoders catch this too, but probe callers (upload validation) should not see 0x0.
  if (info->width <= 0 || info->height <= 0) {
    return data_loss("invalid image size " + std::to_string(info->width) + "x" +
                     std::to_string(info->height) + " in the " + image_format_name(info->format) +
                     " header");
  }
  return info;
}

Result<Image> decode_image(const uint8_t* data, size_t size, const DecodeOptions& opts) {
  // A PNG's size sits at a fixed place in its first chunk: check it before libpng reads
  // on, so a file claiming 100000x100000 is refused for its size even when the rest of
  // it is missing or broken.
  if (sniff_format(data, size) == ImageFormat::kPng && size >= 24 &&
      starts_with(data, size, "IHDR", 4, 12)) {
    auto be32 = [&](size_t at) {
      return (int64_t{data[at]} << 24) | (int64_t{data[at + 1]} << 16) |
             (int64_t{data[at + 2]} << 8) | int64_t{data[at + 3]};
    };
    const int64_t w = be32(16), h = be32(20);
    if (w > 0 && h > 0) TB_RETURN_IF_ERROR(check_pixel_limit(w, h, opts.max_pixels));
  }
  TB_ASSIGN_OR_RETURN(ImageInfo info, probe_image(data, size));
  TB_RETURN_IF_ERROR(check_pixel_limit(info.width, info.height, opts.max_pixels));
  try {
    Result<Image> img = internal_error("unreachable");
    std::vector<uint8_t> icc_profile;
    switch (info.format) {
      case ImageFormat::kJpeg:
        img = decode_jpeg(data, size, opts.max_pixels, &icc_profile);
        break;
      case ImageFormat::kPng:
        img = decode_png(data, size, opts.max_pixels, &icc_profile);
        break;
      case ImageFormat::kWebp:
        img = decode_webp(data, size, opts.max_pixels, &icc_profile);
        break;
      case ImageFormat::kUnknown:
        break;
    }
    // Before anything else sees the pixels: models and outputs are sRGB.
    if (img.is_ok() && !icc_profile.empty()) {
      TB_RETURN_IF_ERROR(convert_to_srgb(&img.value(), icc_profile.data(), icc_profile.size()));
    }
    if (img.is_ok() && opts.apply_exif_orientation) {
      apply_exif_orientation(&img.value(), info.exif_orientation);
    }
    return img;
  } catch (const std::bad_alloc&) {
    return out_of_memory("not enough memory to decode a " + std::to_string(info.width) + "x" +
                         std::to_string(info.height) + " " + image_format_name(info.format) +
                         " image");
  }
}

}  // namespace toonbox::image
