// Fixture builders for the image tests. Every test file is generated here at run time,
// mostly with code independent of src/image (zlib-built PNGs, libjpeg-written JPEGs), so a
// decoder bug cannot hide behind a matching encoder bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>  // before jpeglib.h, which needs size_t and FILE
#include <string>
#include <vector>

#include <jpeglib.h>

#include "image/image.h"

namespace toonbox::image_test {

// Smooth colour ramps (and a distinct alpha ramp) so every pixel differs from its neighbours.
image::Image make_gradient(int width, int height, bool with_alpha);
image::Image make_solid(int width, int height, uint8_t r, uint8_t g, uint8_t b);

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

// --- PNG, built byte by byte with zlib (no libpng) ---
std::vector<uint8_t> png_chunk(const char* type, const std::vector<uint8_t>& data);

struct RawPng {
  uint32_t width = 0, height = 0;
  int bit_depth = 8;
  int color_type = 2;  // 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA
  bool interlaced = false;
  std::vector<uint8_t> plte;      // palette RGB triples
  std::vector<uint8_t> trns;      // raw tRNS payload
  std::vector<uint8_t> exif;      // raw eXIf payload (TIFF), placed before IDAT
  std::vector<uint16_t> samples;  // row-major; one value per sample (palette: the index)
};
RawPng raw_png(uint32_t width, uint32_t height, int bit_depth, int color_type);
std::vector<uint8_t> build_png(const RawPng& png);

// IHDR claiming width x height, then a tiny IDAT and IEND: a file that lies about its size.
std::vector<uint8_t> png_claiming_size(uint32_t width, uint32_t height);

// --- JPEG, written with libjpeg directly ---
// samples: width*height*components, interpreted in `color_space`. For CMYK, adobe_marker
// decides whether libjpeg writes its APP14 marker.
std::vector<uint8_t> write_jpeg_with_libjpeg(const std::vector<uint8_t>& samples, int width,
                                             int height, int components, J_COLOR_SPACE color_space,
                                             int quality, bool adobe_marker = true,
                                             bool progressive = false);

// A valid progressive RGB JPEG with 2080 scans (one per coefficient and bit plane): the
// shape of the "many tiny scans" CPU-exhaustion attack.
std::vector<uint8_t> write_jpeg_with_many_scans(const std::vector<uint8_t>& rgb, int width,
                                                int height);

// A TIFF block with IFD0 = {Make, Orientation}, in either byte order.
std::vector<uint8_t> exif_tiff(int orientation, bool big_endian);
// The JPEG with an APP1 "Exif\0\0"+tiff segment inserted right after SOI.
std::vector<uint8_t> with_exif_app1(const std::vector<uint8_t>& jpeg,
                                    const std::vector<uint8_t>& tiff);

// --- WebP containers around a simple (VP8/VP8L) file from our encoder ---
std::vector<uint8_t> webp_with_exif(const std::vector<uint8_t>& simple_webp, int width, int height,
                                    const std::vector<uint8_t>& tiff);
std::vector<uint8_t> animated_webp(const std::vector<uint8_t>& simple_webp, int width, int height);

// A fresh directory under $TMPDIR, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> entries() const;  // names, sorted

 private:
  std::string path_;
};

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> read_bytes(const std::string& path);

}  // namespace toonbox::image_test
