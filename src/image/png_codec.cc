// libpng reports fatal errors by calling our error function, which must not return; we
// longjmp back to the phase function that called into libpng. Those phase functions hold no
// C++ objects with destructors, and everything that outlives a longjmp lives in structs
// owned by the (C++) caller, so no destructor is ever skipped.
#include "image/png_codec.h"

#include <png.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "image/exif.h"
#include "image/icc_profile.h"
#include "image/pixel_limits.h"
#include "image/png_colour_chunks.h"

namespace toonbox::image {
namespace {

// Ancillary chunks (iCCP, zTXt, ...) are decompressed into memory; cap what one may cost.
constexpr png_alloc_size_t kMaxChunkBytes = 16 << 20;
// A file can repeat unknown/text chunks without end; cap how many are kept.
constexpr png_uint_32 kMaxCachedChunks = 1000;

struct PngReader {
  png_structp png;
  png_infop info;
  const uint8_t* data;
  size_t size;
  size_t pos;
  bool truncated;
  char message[256];
};

struct ReaderGuard {
  PngReader* r;
  ~ReaderGuard() {
    if (r->png != nullptr) png_destroy_read_struct(&r->png, &r->info, nullptr);
  }
};

[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
  auto* r = static_cast<PngReader*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof(r->message), "%s", message);
  png_longjmp(png, 1);
}

// Warnings cover recoverable oddities (bad ancillary CRC, odd iCCP); decoding continues.
void on_png_warning(png_structp, png_const_charp) {}

void read_from_memory(png_structp png, png_bytep out, size_t length) {
  auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
  if (length > r->size - r->pos) {
    r->truncated = true;
    png_error(png, "premature end of file");
  }
  std::memcpy(out, r->data + r->pos, length);
  r->pos += length;
}

Status png_failure(const PngReader& r) {
  if (r.truncated) return data_loss("truncated PNG data (premature end of file)");
  return data_loss(std::string("invalid PNG data: ") + r.message);
}

// libpng 1.6.39 allocates an eXIf chunk's declared length before reading it, whatever
// png_set_chunk_malloc_max says: a 139-byte file claiming a 1.8 GB eXIf chunk made it ask
// for 1.8 GB (found by fuzz/png_fuzz.cc). So the chunk lengths are checked here first:
// any chunk but IDAT over kMaxChunkBytes is refused before libpng sees the file.
Status check_chunk_lengths(const uint8_t* data, size_t size) {
  size_t pos = 8;  // after the signature
  while (pos + 8 <= size) {
    const uint32_t length = (uint32_t{data[pos]} << 24) | (uint32_t{data[pos + 1]} << 16) |
                            (uint32_t{data[pos + 2]} << 8) | data[pos + 3];
    const char type[5] = {static_cast<char>(data[pos + 4]), static_cast<char>(data[pos + 5]),
                          static_cast<char>(data[pos + 6]), static_cast<char>(data[pos + 7]), 0};
    const bool idat = std::memcmp(type, "IDAT", 4) == 0;
    if (!idat && length > kMaxChunkBytes) {
      std::string name;
      for (int i = 0; i < 4; ++i) name += std::isalnum(static_cast<unsigned char>(type[i])) ? type[i] : '?';
      return data_loss("invalid PNG data: chunk '" + name + "' claims " + std::to_string(length) +
                       " bytes (limit " + std::to_string(kMaxChunkBytes >> 20) + " MiB for chunks other than IDAT)");
    }
    if (std::memcmp(type, "IEND", 4) == 0) break;
    pos += size_t{12} + length;  // length, type, data, CRC
  }
  return Status::ok();
}

Status open_reader(PngReader* r, const uint8_t* data, size_t size) {
  if (size >= 8) TB_RETURN_IF_ERROR(check_chunk_lengths(data, size));
  r->data = data;
  r->size = size;
  r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, on_png_error, on_png_warning);
  if (r->png == nullptr) return out_of_memory("cannot create a PNG decoder");
  r->info = png_create_info_struct(r->png);
  if (r->info == nullptr) return out_of_memory("cannot create a PNG decoder");
  return Status::ok();
}

bool read_info_phase(PngReader* r) {
  if (setjmp(png_jmpbuf(r->png))) return false;
  // libpng's own size limit would reject huge images with a less helpful message;
  // check_pixel_limit applies ours right after the header.
  png_set_user_limits(r->png, 0x7fffffff, 0x7fffffff);
  png_set_chunk_malloc_max(r->png, kMaxChunkBytes);
  png_set_chunk_cache_max(r->png, kMaxCachedChunks);
  png_set_read_fn(r->png, r, read_from_memory);
  png_read_info(r->png, r->info);
  return true;
}

struct Header {
  png_uint_32 width, height;
  int bit_depth, color_type;
  bool has_trns;
};

Header read_header(const PngReader& r) {
  Header h{};
  h.width = png_get_image_width(r.png, r.info);
  h.height = png_get_image_height(r.png, r.info);
  h.bit_depth = png_get_bit_depth(r.png, r.info);
  h.color_type = png_get_color_type(r.png, r.info);
  h.has_trns = png_get_valid(r.png, r.info, PNG_INFO_tRNS) != 0;
  return h;
}

bool header_has_alpha(const Header& h) {
  return (h.color_type & PNG_COLOR_MASK_ALPHA) != 0 || h.has_trns;
}

// rows: one pointer per output row into a buffer of width * (has_alpha ? 4 : 3) bytes each.
bool read_pixels_phase(PngReader* r, const Header* h, png_bytepp rows, size_t row_bytes) {
  if (setjmp(png_jmpbuf(r->png))) return false;
  png_structp png = r->png;
  if (h->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if ((h->color_type & PNG_COLOR_MASK_COLOR) == 0 && h->bit_depth < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
  }
  if (h->has_trns) png_set_tRNS_to_alpha(png);
  // Rounds v*255/65535 to nearest; png_set_strip_16 would truncate (take the high byte).
  if (h->bit_depth == 16) png_set_scale_16(png);
  if ((h->color_type & PNG_COLOR_MASK_COLOR) == 0) png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, r->info);
  if (png_get_rowbytes(png, r->info) != row_bytes) {
    png_error(png, "unexpected row size after conversion to 8-bit RGB(A)");
  }
  png_read_image(png, rows);
  // No png_read_end: every pixel is in, and a file that merely lacks IEND decodes correctly.
  return true;
}

// The colour space the file declares, as an ICC profile to convert from (empty: sRGB).
// iCCP wins over sRGB, which wins over gAMA/cHRM (PNG 1.2, 11.3.3.5). libpng has
// already dropped an iCCP whose colour space does not fit the colour type.
Result<std::vector<uint8_t>> colour_profile(const PngReader& r) {
  png_charp name = nullptr;
  int compression = 0;
  png_bytep profile = nullptr;
  png_uint_32 length = 0;
  if (png_get_iCCP(r.png, r.info, &name, &compression, &profile, &length) != 0 && profile != nullptr) {
    TB_RETURN_IF_ERROR(check_icc_profile_size(length));
    return std::vector<uint8_t>(profile, profile + length);
  }
  int intent = 0;
  if (png_get_sRGB(r.png, r.info, &intent) != 0) return std::vector<uint8_t>();
  PngChromaticity chroma;
  const bool has_chrm = png_get_cHRM(r.png, r.info, &chroma.white_x, &chroma.white_y, &chroma.red_x,
                                     &chroma.red_y, &chroma.green_x, &chroma.green_y, &chroma.blue_x,
                                     &chroma.blue_y) != 0;
  double gamma = 0;
  const bool has_gama = png_get_gAMA(r.png, r.info, &gamma) != 0;
  if (!has_chrm && !has_gama) return std::vector<uint8_t>();
  return png_chunks_profile(has_chrm ? &chroma : nullptr, has_gama ? gamma : 0);
}

}  // namespace

Result<ImageInfo> probe_png(const uint8_t* data, size_t size) {
  PngReader r{};
  ReaderGuard guard{&r};
  TB_RETURN_IF_ERROR(open_reader(&r, data, size));
  if (!read_info_phase(&r)) return png_failure(r);
  const Header h = read_header(r);
  ImageInfo info{};
  info.format = ImageFormat::kPng;
  info.width = static_cast<int>(h.width);  // libpng guarantees <= 2^31-1
  info.height = static_cast<int>(h.height);
  info.bit_depth = h.bit_depth;
  info.has_alpha = header_has_alpha(h);
  const bool colour = (h.color_type & PNG_COLOR_MASK_COLOR) != 0;
  info.channels = (colour ? 3 : 1) + (info.has_alpha ? 1 : 0);
  info.exif_orientation = 1;
  png_uint_32 exif_size = 0;
  png_bytep exif = nullptr;
  if (png_get_eXIf_1(r.png, r.info, &exif_size, &exif) != 0 && exif != nullptr) {
    info.exif_orientation = exif_orientation_from_tiff(exif, exif_size);
  }
  return info;
}

Result<Image> decode_png(const uint8_t* data, size_t size, int64_t max_pixels) {
  return decode_png(data, size, max_pixels, nullptr);
}

Result<Image> decode_png(const uint8_t* data, size_t size, int64_t max_pixels,
                         std::vector<uint8_t>* icc_profile) {
  if (icc_profile != nullptr) icc_profile->clear();
  PngReader r{};
  ReaderGuard guard{&r};
  TB_RETURN_IF_ERROR(open_reader(&r, data, size));
  if (!read_info_phase(&r)) return png_failure(r);
  const Header h = read_header(r);
  TB_RETURN_IF_ERROR(check_pixel_limit(h.width, h.height, max_pixels));
  if (icc_profile != nullptr) {
    TB_ASSIGN_OR_RETURN(*icc_profile, colour_profile(r));
  }

  const bool alpha = header_has_alpha(h);
  const int channels = alpha ? 4 : 3;
  Image img;
  img.width = static_cast<int>(h.width);
  img.height = static_cast<int>(h.height);
  TB_ASSIGN_OR_RETURN(size_t bytes, pixel_buffer_size(img.width, img.height, channels));
  // Interlaced images fill rows over seven passes, so the whole image is decoded into one
  // buffer; without alpha that buffer is already the result.
  std::vector<uint8_t> rgba;
  uint8_t* pixels;
  if (alpha) {
    rgba.resize(bytes);
    pixels = rgba.data();
  } else {
    img.rgb.resize(bytes);
    pixels = img.rgb.data();
  }
  const size_t row_bytes = static_cast<size_t>(img.width) * channels;
  std::vector<png_bytep> rows(static_cast<size_t>(img.height));
  for (size_t y = 0; y < rows.size(); ++y) rows[y] = pixels + y * row_bytes;
  if (!read_pixels_phase(&r, &h, rows.data(), row_bytes)) return png_failure(r);

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

}  // namespace toonbox::image
