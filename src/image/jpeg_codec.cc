// libjpeg reports fatal errors through error_exit, which must not return; we longjmp back
// to the phase function that called into libjpeg. Those phase functions hold no C++ objects
// with destructors, and all state that outlives a longjmp lives in structs owned by the
// (C++) caller, so no destructor is ever skipped.
#include "image/jpeg_codec.h"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <jerror.h>
#include <jpeglib.h>

#include "image/exif.h"
#include "image/icc_profile.h"
#include "image/pixel_limits.h"

namespace toonbox::image {
namespace {

// Each progressive scan re-walks all coefficients, so a small file with thousands of tiny
// scans burns minutes of CPU. Real encoders emit around ten.
constexpr int kMaxJpegScans = 1000;

struct JpegErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  bool truncated;
  bool too_many_scans;
  // See on_emit_message: set while single-scan Huffman data is decoded row by row.
  bool tolerate_missing_eoi;
  bool saw_eof;
  // Set while pixels are decoded: from then on "corrupt data" warnings are failures.
  bool decoding_pixels;
  bool corrupt;
  char message[JMSG_LENGTH_MAX];
};

JpegErrorManager* error_manager(j_common_ptr cinfo) {
  return reinterpret_cast<JpegErrorManager*>(cinfo->err);
}

[[noreturn]] void on_error_exit(j_common_ptr cinfo) {
  JpegErrorManager* err = error_manager(cinfo);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

[[noreturn]] void fail_truncated(j_common_ptr cinfo) {
  JpegErrorManager* err = error_manager(cinfo);
  err->truncated = true;
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// On a premature end libjpeg only warns (JWRN_JPEG_EOF) and pads the rest of the image with
// grey; we would then hand a half-grey photo to the model, so that warning is a failure.
// One exception: the Huffman decoder reads ahead, so a single-scan file that lacks only its
// final EOI marker also reaches the end of the data while decoding the last row. If it
// needed any bits that were not there, it says so with a second warning (JWRN_HIT_MARKER),
// which then fails; if not, every pixel is real and the file decodes. Progressive and
// arithmetic-coded files give no such signal, so for them the end of data always fails.
//
// Damaged entropy-coded data is a failure too: libjpeg warns ("Corrupt JPEG data: bad
// Huffman code", "premature end of data segment", ...) and fills the rest of the segment
// with grey, so 200 random bytes in the middle of a photo gave a half-grey image and exit
// 0. Extraneous bytes before a marker are tolerated in the headers (some cameras pad
// there) but not once pixels are being decoded, where they mean damaged scan data.
bool is_corrupt_data_warning(int code, bool decoding_pixels) {
  switch (code) {
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
#if defined(JWRN_ARITH_BAD_CODE)
    case JWRN_ARITH_BAD_CODE:
#endif
      return true;
    case JWRN_EXTRANEOUS_DATA:
      return decoding_pixels;
    default:
      return false;
  }
}

void on_emit_message(j_common_ptr cinfo, int msg_level) {
  if (msg_level != -1) return;  // trace messages
  JpegErrorManager* err = error_manager(cinfo);
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
    if (!err->tolerate_missing_eoi) fail_truncated(cinfo);
    err->saw_eof = true;
    return;
  }
  if (err->saw_eof) fail_truncated(cinfo);  // the decoder wanted data past the end
  if (is_corrupt_data_warning(cinfo->err->msg_code, err->decoding_pixels)) {
    err->corrupt = true;
    (*cinfo->err->format_message)(cinfo, err->message);
    std::longjmp(err->jump, 1);
  }
  cinfo->err->num_warnings++;
}

// A library must not print to stderr behind its caller's back.
void on_output_message(j_common_ptr) {}

void on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (dinfo->input_scan_number > kMaxJpegScans) {
    JpegErrorManager* err = error_manager(cinfo);
    err->too_many_scans = true;
    std::snprintf(err->message, sizeof(err->message), "more than %d progressive scans",
                  kMaxJpegScans);
    std::longjmp(err->jump, 1);
  }
}

void install_error_manager(JpegErrorManager* err) {
  jpeg_std_error(&err->pub);
  err->pub.error_exit = on_error_exit;
  err->pub.emit_message = on_emit_message;
  err->pub.output_message = on_output_message;
}

Status jpeg_failure(const JpegErrorManager& err) {
  if (err.truncated) return data_loss("truncated JPEG data (premature end of file)");
  if (err.corrupt) return data_loss(std::string("corrupt JPEG data: ") + err.message);
  // Valid files this build cannot decode are not corrupt: say so with a different code.
  if (err.pub.msg_code == JERR_BAD_PRECISION) {
    return unimplemented(std::string("unsupported JPEG: ") + err.message +
                         " (only 8-bit JPEG is supported)");
  }
  if (err.too_many_scans) {
    return data_loss(std::string("invalid JPEG data: ") + err.message +
                     " (refused to limit decoding time)");
  }
  return data_loss(std::string("invalid JPEG data: ") + err.message);
}

// How decoded scanlines become RGB.
enum class PixelKind { kGray, kRgb, kCmyk, kInvertedCmyk };

// Zero-initialized POD, so jpeg_destroy_decompress is safe even if creation failed.
struct JpegDecoder {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  jpeg_progress_mgr progress;
};

struct DecoderGuard {
  JpegDecoder* d;
  ~DecoderGuard() { jpeg_destroy_decompress(&d->cinfo); }
};

bool read_header_phase(JpegDecoder* d, const uint8_t* data, size_t size) {
  d->cinfo.err = &d->err.pub;
  install_error_manager(&d->err);
  if (setjmp(d->err.jump)) return false;
  jpeg_create_decompress(&d->cinfo);
  d->progress.progress_monitor = on_progress;
  d->cinfo.progress = &d->progress;
  jpeg_mem_src(&d->cinfo, data, static_cast<unsigned long>(size));
  jpeg_save_markers(&d->cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers(&d->cinfo, JPEG_APP0 + 2, 0xFFFF);  // ICC_PROFILE chunks
  jpeg_read_header(&d->cinfo, TRUE);
  return true;
}

// Picks the output colour space for the stored one; kGray etc. via *kind.
bool choose_output_phase(JpegDecoder* d, PixelKind* kind) {
  if (setjmp(d->err.jump)) return false;
  jpeg_decompress_struct& c = d->cinfo;
  switch (c.jpeg_color_space) {
    case JCS_GRAYSCALE:
      c.out_color_space = JCS_GRAYSCALE;
      *kind = PixelKind::kGray;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      c.out_color_space = JCS_CMYK;  // libjpeg converts YCCK to CMYK
      // Adobe (Photoshop) writes CMYK inverted (0 = full ink) and says so with an APP14
      // marker; files without it use the plain convention.
      *kind = c.saw_Adobe_marker ? PixelKind::kInvertedCmyk : PixelKind::kCmyk;
      break;
    default:
      c.out_color_space = JCS_RGB;
      *kind = PixelKind::kRgb;
      break;
  }
  jpeg_calc_output_dimensions(&c);
  return true;
}

uint8_t ink_to_rgb(unsigned colour, unsigned black) {
  return static_cast<uint8_t>((colour * black + 127) / 255);
}

void cmyk_row_to_rgb(const uint8_t* cmyk, uint8_t* rgb, size_t width, bool inverted) {
  for (size_t x = 0; x < width; ++x, cmyk += 4, rgb += 3) {
    // Normalize to "255 = no ink": R = 255 * (1 - C) * (1 - K).
    const unsigned c = inverted ? cmyk[0] : 255u - cmyk[0];
    const unsigned m = inverted ? cmyk[1] : 255u - cmyk[1];
    const unsigned y = inverted ? cmyk[2] : 255u - cmyk[2];
    const unsigned k = inverted ? cmyk[3] : 255u - cmyk[3];
    rgb[0] = ink_to_rgb(c, k);
    rgb[1] = ink_to_rgb(m, k);
    rgb[2] = ink_to_rgb(y, k);
  }
}

// The bytes the APP2 ICC_PROFILE chunks hold, so an oversized profile is refused before
// libjpeg-turbo assembles it (up to 255 chunks of 64 KiB).
size_t icc_marker_bytes(const jpeg_decompress_struct& c) {
  static constexpr uint8_t kIccHeader[12] = {'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0};
  size_t total = 0;
  for (jpeg_saved_marker_ptr m = c.marker_list; m != nullptr; m = m->next) {
    if (m->marker == JPEG_APP0 + 2 && m->data_length >= sizeof(kIccHeader) + 2 &&
        std::memcmp(m->data, kIccHeader, sizeof(kIccHeader)) == 0) {
      total += m->data_length - sizeof(kIccHeader) - 2;  // the header, sequence number, count
    }
  }
  return total;
}

// *profile is malloc'ed by libjpeg-turbo (or null: no profile, or chunks it found
// inconsistent, which it reports as a warning and we treat as no profile).
bool read_icc_phase(JpegDecoder* d, JOCTET** profile, unsigned int* length) {
  if (setjmp(d->err.jump)) return false;
  if (!jpeg_read_icc_profile(&d->cinfo, profile, length)) {
    *profile = nullptr;
    *length = 0;
  }
  return true;
}

// rgb holds output_width*output_height*3 bytes; row holds output_width*output_components
// (unused for RGB output, which is decoded in place). cmyk_profile, when not null,
// converts CMYK rows instead of the naive ink formula.
bool read_pixels_phase(JpegDecoder* d, PixelKind kind, uint8_t* rgb, uint8_t* row,
                       const CmykToSrgb* cmyk_profile) {
  if (setjmp(d->err.jump)) return false;
  jpeg_decompress_struct& c = d->cinfo;
  d->err.decoding_pixels = true;
  jpeg_start_decompress(&c);
  // Multi-scan files were consumed whole by jpeg_start_decompress, with the flag still off.
  d->err.tolerate_missing_eoi = !c.progressive_mode && !c.arith_code;
  const size_t width = c.output_width;
  while (c.output_scanline < c.output_height) {
    uint8_t* out = rgb + static_cast<size_t>(c.output_scanline) * width * 3;
    JSAMPROW target = kind == PixelKind::kRgb ? out : row;
    if (jpeg_read_scanlines(&c, &target, 1) != 1) {
      // Only a suspending data source returns 0 lines; ours never suspends, so this means
      // libjpeg ran out of data without saying so.
      d->err.truncated = true;
      return false;
    }
    if (kind == PixelKind::kGray) {
      for (size_t x = 0; x < width; ++x) out[x * 3] = out[x * 3 + 1] = out[x * 3 + 2] = row[x];
    } else if (kind != PixelKind::kRgb && cmyk_profile != nullptr) {
      cmyk_profile->convert_row(row, out, width);
    } else if (kind != PixelKind::kRgb) {
      cmyk_row_to_rgb(row, out, width, kind == PixelKind::kInvertedCmyk);
    }
  }
  // Read on to the EOI marker: scan data that decoded into plausible coefficients but
  // left bytes over ("extraneous bytes before marker") was damaged. A file that merely
  // lacks its EOI still decodes (the end of data is tolerated here, as above).
  jpeg_finish_decompress(&c);
  d->err.tolerate_missing_eoi = false;
  return true;
}

int orientation_from_markers(const jpeg_decompress_struct& c) {
  for (jpeg_saved_marker_ptr m = c.marker_list; m != nullptr; m = m->next) {
    if (m->marker != JPEG_APP0 + 1) continue;
    static constexpr uint8_t kExifHeader[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (m->data_length < sizeof(kExifHeader) ||
        std::memcmp(m->data, kExifHeader, sizeof(kExifHeader)) != 0) {
      continue;  // XMP and other APP1 payloads
    }
    return exif_orientation_from_app1(m->data, m->data_length);
  }
  return 1;
}

// Zero-initialized POD, as for JpegDecoder.
struct JpegEncoder {
  jpeg_compress_struct cinfo;
  JpegErrorManager err;
};

bool encode_phase(JpegEncoder* e, const Image* img, int quality, unsigned char** mem,
                  unsigned long* mem_size) {
  e->cinfo.err = &e->err.pub;
  install_error_manager(&e->err);
  if (setjmp(e->err.jump)) return false;
  jpeg_compress_struct& c = e->cinfo;
  jpeg_create_compress(&c);
  jpeg_mem_dest(&c, mem, mem_size);
  c.image_width = static_cast<JDIMENSION>(img->width);
  c.image_height = static_cast<JDIMENSION>(img->height);
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  if (quality >= 90) {
    // At high quality the visible loss is chroma blur, which 4:4:4 avoids.
    c.comp_info[0].h_samp_factor = 1;
    c.comp_info[0].v_samp_factor = 1;
  }
  // libjpeg-turbo's standard Huffman tables, not optimized ones (cjpeg's and Pillow's
  // default): optimizing takes a second pass off the SIMD entropy coder. Measured on a
  // 1024x1024 quality-92 4:4:4 image (this machine, best of 7): a cartoon-flat image
  // 35.6 ms optimized for 300 KB against 13.0 ms for 305 KB; a photo 25.0 ms for 155 KB
  // against 8.8 ms for 183 KB. On the H200 host the JPEG encoders bound a GPU folder run
  // at 458 images/s with optimized tables (issue 14).
  c.optimize_coding = FALSE;
  jpeg_start_compress(&c, TRUE);
  const size_t stride = static_cast<size_t>(img->width) * 3;
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(img->rgb.data()) + c.next_scanline * stride;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  return true;
}

}  // namespace

Result<ImageInfo> probe_jpeg(const uint8_t* data, size_t size) {
  JpegDecoder d{};
  DecoderGuard guard{&d};
  if (!read_header_phase(&d, data, size)) return jpeg_failure(d.err);
  ImageInfo info{};
  info.format = ImageFormat::kJpeg;
  info.width = static_cast<int>(d.cinfo.image_width);
  info.height = static_cast<int>(d.cinfo.image_height);
  info.channels = d.cinfo.num_components;
  info.bit_depth = d.cinfo.data_precision;
  info.has_alpha = false;
  info.exif_orientation = orientation_from_markers(d.cinfo);
  return info;
}

Result<Image> decode_jpeg(const uint8_t* data, size_t size, int64_t max_pixels) {
  return decode_jpeg(data, size, max_pixels, nullptr);
}

Result<Image> decode_jpeg(const uint8_t* data, size_t size, int64_t max_pixels,
                          std::vector<uint8_t>* icc_profile) {
  if (icc_profile != nullptr) icc_profile->clear();
  JpegDecoder d{};
  DecoderGuard guard{&d};
  if (!read_header_phase(&d, data, size)) return jpeg_failure(d.err);
  PixelKind kind = PixelKind::kRgb;
  if (!choose_output_phase(&d, &kind)) return jpeg_failure(d.err);
  const jpeg_decompress_struct& c = d.cinfo;
  TB_RETURN_IF_ERROR(check_pixel_limit(c.output_width, c.output_height, max_pixels));
  const int expected_components = kind == PixelKind::kGray ? 1 : kind == PixelKind::kRgb ? 3 : 4;
  if (c.output_components != expected_components) {
    return data_loss("unsupported JPEG layout: " + std::to_string(c.num_components) +
                     " components decode to " + std::to_string(c.output_components) +
                     ", expected " + std::to_string(expected_components));
  }

  Image img;
  img.width = static_cast<int>(c.output_width);
  img.height = static_cast<int>(c.output_height);
  TB_ASSIGN_OR_RETURN(size_t rgb_bytes, pixel_buffer_size(img.width, img.height, 3));
  img.rgb.resize(rgb_bytes);
  std::vector<uint8_t> row(kind == PixelKind::kRgb ? 0
                                                   : static_cast<size_t>(img.width) *
                                                         static_cast<size_t>(expected_components));

  std::vector<uint8_t> profile;
  if (icc_profile != nullptr) {
    TB_RETURN_IF_ERROR(check_icc_profile_size(icc_marker_bytes(d.cinfo)));
    JOCTET* icc = nullptr;
    unsigned int icc_length = 0;
    const bool read = read_icc_phase(&d, &icc, &icc_length);
    if (icc != nullptr) profile.assign(icc, icc + icc_length);
    std::free(icc);
    if (!read) return jpeg_failure(d.err);
  }
  // CMYK pixels can only meet a CMYK profile here, before they become RGB.
  std::unique_ptr<CmykToSrgb> cmyk_profile;
  if (!profile.empty() && (kind == PixelKind::kCmyk || kind == PixelKind::kInvertedCmyk)) {
    TB_ASSIGN_OR_RETURN(cmyk_profile,
                        CmykToSrgb::create(profile.data(), profile.size(), kind == PixelKind::kInvertedCmyk));
    if (cmyk_profile != nullptr) profile.clear();  // applied here, not again after decoding
  }
  if (!read_pixels_phase(&d, kind, img.rgb.data(), row.data(), cmyk_profile.get())) {
    return jpeg_failure(d.err);
  }
  if (icc_profile != nullptr) *icc_profile = std::move(profile);
  return img;
}

Result<std::vector<uint8_t>> encode_jpeg(const Image& img, int quality) {
  if (img.width > JPEG_MAX_DIMENSION || img.height > JPEG_MAX_DIMENSION) {
    return invalid_argument("JPEG cannot store " + std::to_string(img.width) + "x" +
                            std::to_string(img.height) + "; the maximum is " +
                            std::to_string(JPEG_MAX_DIMENSION) + " pixels per side (use PNG)");
  }
  JpegEncoder e{};
  unsigned char* mem = nullptr;
  unsigned long mem_size = 0;
  const bool ok = encode_phase(&e, &img, quality, &mem, &mem_size);
  jpeg_destroy_compress(&e.cinfo);
  // jpeg_mem_dest's buffer is malloc'ed and may exist even after a failure.
  struct FreeMem {
    unsigned char* p;
    ~FreeMem() { std::free(p); }
  } free_mem{mem};
  if (!ok) return internal_error(std::string("JPEG encoding failed: ") + e.err.message);
  return std::vector<uint8_t>(mem, mem + mem_size);
}

}  // namespace toonbox::image
