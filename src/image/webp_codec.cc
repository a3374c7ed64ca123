#include "image/webp_codec.h"

#include <webp/decode.h>
#include <webp/encode.h>

#include <cstring>
#include <string>

#include "image/exif.h"
#include "image/icc_profile.h"
#include "image/pixel_limits.h"

namespace toonbox::image {
namespace {

const char* vp8_status_text(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_OK:
      return "ok";
    case VP8_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
      return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
      return "corrupt bitstream";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return "unsupported feature";
    case VP8_STATUS_SUSPENDED:
      return "suspended";
    case VP8_STATUS_USER_ABORT:
      return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return "not enough data";
  }
  return "unknown error";
}

Status webp_failure(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return data_loss("truncated WebP data (premature end of file)");
    case VP8_STATUS_OUT_OF_MEMORY:
      return out_of_memory("not enough memory to decode the WebP image");
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return unimplemented("unsupported WebP feature");
    default:
      return data_loss(std::string("invalid WebP data: ") + vp8_status_text(status));
  }
}

uint32_t read_le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// A chunk of an extended-format file (EXIF, ICCP), found by walking the RIFF chunk list
// (libwebp only exposes them through the separate demux library). Null when there is none
// or the container is malformed: pixels decode without it (libwebp checks what it needs).
const uint8_t* find_riff_chunk(const uint8_t* data, size_t size, const char fourcc[4], size_t* length) {
  constexpr size_t kRiffHeader = 12, kChunkHeader = 8;
  if (size < kRiffHeader) return nullptr;
  // The RIFF size counts from byte 8; trust it only as far as the data goes.
  size_t end = size;
  const uint64_t riff_end = uint64_t{read_le32(data + 4)} + 8;
  if (riff_end < end) end = static_cast<size_t>(riff_end);
  size_t pos = kRiffHeader;
  while (pos <= end && end - pos >= kChunkHeader) {
    const uint8_t* chunk = data + pos;
    const size_t payload = read_le32(chunk + 4);
    if (payload > end - pos - kChunkHeader) return nullptr;
    if (std::memcmp(chunk, fourcc, 4) == 0) {
      *length = payload;
      return chunk + kChunkHeader;
    }
    // Chunks are padded to an even size.
    const size_t advance = kChunkHeader + payload + (payload & 1);
    if (advance > end - pos) return nullptr;
    pos += advance;
  }
  return nullptr;
}

int orientation_from_riff(const uint8_t* data, size_t size) {
  size_t length = 0;
  const uint8_t* exif = find_riff_chunk(data, size, "EXIF", &length);
  return exif != nullptr ? exif_orientation_from_app1(exif, length) : 1;
}

Result<WebPBitstreamFeatures> read_features(const uint8_t* data, size_t size) {
  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(data, size, &features);
  if (status != VP8_STATUS_OK) return webp_failure(status);
  if (features.has_animation) {
    return unimplemented("animated WebP is not supported (convert one frame to PNG first)");
  }
  return features;
}

struct PictureGuard {
  WebPPicture* picture;
  WebPMemoryWriter* writer;
  ~PictureGuard() {
    WebPPictureFree(picture);
    WebPMemoryWriterClear(writer);
  }
};

}  // namespace

Result<ImageInfo> probe_webp(const uint8_t* data, size_t size) {
  TB_ASSIGN_OR_RETURN(WebPBitstreamFeatures features, read_features(data, size));
  ImageInfo info{};
  info.format = ImageFormat::kWebp;
  info.width = features.width;
  info.height = features.height;
  info.has_alpha = features.has_alpha != 0;
  info.channels = info.has_alpha ? 4 : 3;
  info.bit_depth = 8;
  info.exif_orientation = orientation_from_riff(data, size);
  return info;
}

Result<Image> decode_webp(const uint8_t* data, size_t size, int64_t max_pixels) {
  return decode_webp(data, size, max_pixels, nullptr);
}

Result<Image> decode_webp(const uint8_t* data, size_t size, int64_t max_pixels,
                          std::vector<uint8_t>* icc_profile) {
  if (icc_profile != nullptr) icc_profile->clear();
  TB_ASSIGN_OR_RETURN(WebPBitstreamFeatures features, read_features(data, size));
  TB_RETURN_IF_ERROR(check_pixel_limit(features.width, features.height, max_pixels));
  if (icc_profile != nullptr) {
    size_t length = 0;
    if (const uint8_t* icc = find_riff_chunk(data, size, "ICCP", &length)) {
      TB_RETURN_IF_ERROR(check_icc_profile_size(length));
      icc_profile->assign(icc, icc + length);
    }
  }
  const bool alpha = features.has_alpha != 0;
  const int channels = alpha ? 4 : 3;

  Image img;
  img.width = features.width;
  img.height = features.height;
  TB_ASSIGN_OR_RETURN(size_t bytes, pixel_buffer_size(img.width, img.height, channels));
  std::vector<uint8_t> rgba;
  uint8_t* pixels;
  if (alpha) {
    rgba.resize(bytes);
    pixels = rgba.data();
  } else {
    img.rgb.resize(bytes);
    pixels = img.rgb.data();
  }

  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return internal_error("libwebp version mismatch");
  config.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
  // Decode into our buffer, sized from the header we already checked; libwebp verifies
  // that the bitstream's dimensions fit it.
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = pixels;
  config.output.u.RGBA.stride = img.width * channels;
  config.output.u.RGBA.size = bytes;
  const VP8StatusCode status = WebPDecode(data, size, &config);
  WebPFreeDecBuffer(&config.output);
  if (status != VP8_STATUS_OK) return webp_failure(status);

  if (alpha) {
    const size_t count = static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
    img.rgb.resize(count * 3);
    img.alpha.resize(count);
    for (size_t i = 0; i < count; ++i) {
      img.rgb[i * 3 + 0] = rgba[i * 4 + 0];
      img.rgb[i * 3 + 1] = rgba[i * 4 + 1];
      img.rgb[i * 3 + 2] = rgba[i * 4 + 2];
      img.alpha[i] = rgba[i * 4 + 3];
    }
  }
  return img;
}

Result<std::vector<uint8_t>> encode_webp(const Image& img, int quality) {
  if (img.width > WEBP_MAX_DIMENSION || img.height > WEBP_MAX_DIMENSION) {
    return invalid_argument("WebP cannot store " + std::to_string(img.width) + "x" +
                            std::to_string(img.height) + "; the maximum is " +
                            std::to_string(WEBP_MAX_DIMENSION) + " pixels per side (use PNG)");
  }
  WebPConfig config;
  if (!WebPConfigInit(&config)) return internal_error("libwebp version mismatch");
  if (quality >= 100) {
    WebPConfigLosslessPreset(&config, 6);
    config.exact = 1;
  } else {
    config.quality = static_cast<float>(quality);
  }
  if (!WebPValidateConfig(&config)) return internal_error("invalid WebP encoder settings");

  WebPPicture picture;
  WebPMemoryWriter writer;
  if (!WebPPictureInit(&picture)) return internal_error("libwebp version mismatch");
  WebPMemoryWriterInit(&writer);
  PictureGuard guard{&picture, &writer};
  picture.width = img.width;
  picture.height = img.height;
  picture.use_argb = config.lossless;
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;

  int imported;
  if (img.has_alpha()) {
    const size_t count = static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
    std::vector<uint8_t> rgba(count * 4);
    for (size_t i = 0; i < count; ++i) {
      rgba[i * 4 + 0] = img.rgb[i * 3 + 0];
      rgba[i * 4 + 1] = img.rgb[i * 3 + 1];
      rgba[i * 4 + 2] = img.rgb[i * 3 + 2];
      rgba[i * 4 + 3] = img.alpha[i];
    }
    imported = WebPPictureImportRGBA(&picture, rgba.data(), img.width * 4);
  } else {
    imported = WebPPictureImportRGB(&picture, img.rgb.data(), img.width * 3);
  }
  if (!imported) return out_of_memory("not enough memory to encode the WebP image");
  if (!WebPEncode(&config, &picture)) {
    if (picture.error_code == VP8_ENC_ERROR_OUT_OF_MEMORY ||
        picture.error_code == VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY) {
      return out_of_memory("not enough memory to encode the WebP image");
    }
    return internal_error("WebP encoding failed (libwebp error " +
                          std::to_string(static_cast<int>(picture.error_code)) + ")");
  }
  return std::vector<uint8_t>(writer.mem, writer.mem + writer.size);
}

}  // namespace toonbox::image
