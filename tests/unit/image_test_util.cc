#include "image_test_util.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

using namespace toonbox::image;

namespace toonbox::image_test {
namespace {

void put_be32(std::vector<uint8_t>* v, uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v->push_back(static_cast<uint8_t>(x >> s));
}
void put_le32(std::vector<uint8_t>* v, uint32_t x) {
  for (int s = 0; s < 32; s += 8) v->push_back(static_cast<uint8_t>(x >> s));
}
void put_le24(std::vector<uint8_t>* v, uint32_t x) {
  for (int s = 0; s < 24; s += 8) v->push_back(static_cast<uint8_t>(x >> s));
}
void put16(std::vector<uint8_t>* v, uint16_t x, bool big_endian) {
  if (big_endian) {
    v->push_back(static_cast<uint8_t>(x >> 8));
    v->push_back(static_cast<uint8_t>(x));
  } else {
    v->push_back(static_cast<uint8_t>(x));
    v->push_back(static_cast<uint8_t>(x >> 8));
  }
}
void put32(std::vector<uint8_t>* v, uint32_t x, bool big_endian) {
  put16(v, static_cast<uint16_t>(big_endian ? x >> 16 : x), big_endian);
  put16(v, static_cast<uint16_t>(big_endian ? x : x >> 16), big_endian);
}

std::vector<uint8_t> zlib_compress(const std::vector<uint8_t>& raw) {
  uLongf size = compressBound(raw.size());
  std::vector<uint8_t> out(size);
  if (compress2(out.data(), &size, raw.data(), raw.size(), 9) != Z_OK) {
    throw std::runtime_error("compress2 failed");
  }
  out.resize(size);
  return out;
}

int png_channels(int color_type) {
  switch (color_type) {
    case 0:
      return 1;
    case 2:
      return 3;
    case 3:
      return 1;
    case 4:
      return 2;
    case 6:
      return 4;
  }
  throw std::runtime_error("bad PNG colour type");
}

// Appends one filter-type-0 scanline holding the given pixels (x = x0, x0+dx, ...).
void append_scanline(const RawPng& png, uint32_t y, uint32_t x0, uint32_t dx,
                     std::vector<uint8_t>* raw) {
  const int channels = png_channels(png.color_type);
  raw->push_back(0);
  uint32_t bit_buffer = 0;
  int bits = 0;
  for (uint32_t x = x0; x < png.width; x += dx) {
    for (int c = 0; c < channels; ++c) {
      const uint16_t v = png.samples[(static_cast<size_t>(y) * png.width + x) * channels + c];
      if (png.bit_depth == 16) {
        raw->push_back(static_cast<uint8_t>(v >> 8));
        raw->push_back(static_cast<uint8_t>(v));
      } else if (png.bit_depth == 8) {
        raw->push_back(static_cast<uint8_t>(v));
      } else {
        bit_buffer = bit_buffer << png.bit_depth | v;
        bits += png.bit_depth;
        if (bits == 8) {
          raw->push_back(static_cast<uint8_t>(bit_buffer));
          bit_buffer = 0;
          bits = 0;
        }
      }
    }
  }
  if (bits > 0) raw->push_back(static_cast<uint8_t>(bit_buffer << (8 - bits)));
}

std::vector<uint8_t> png_signature_and_ihdr(uint32_t w, uint32_t h, int depth, int type,
                                            bool interlaced) {
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  put_be32(&ihdr, w);
  put_be32(&ihdr, h);
  ihdr.push_back(static_cast<uint8_t>(depth));
  ihdr.push_back(static_cast<uint8_t>(type));
  ihdr.push_back(0);
  ihdr.push_back(0);
  ihdr.push_back(interlaced ? 1 : 0);
  const std::vector<uint8_t> chunk = png_chunk("IHDR", ihdr);
  out.insert(out.end(), chunk.begin(), chunk.end());
  return out;
}

void append(std::vector<uint8_t>* out, const std::vector<uint8_t>& more) {
  out->insert(out->end(), more.begin(), more.end());
}

// The first chunk (header + payload + padding) of a simple-format WebP file.
std::vector<uint8_t> image_chunk(const std::vector<uint8_t>& simple_webp) {
  if (simple_webp.size() < 20) throw std::runtime_error("WebP too short");
  const uint32_t size = simple_webp[16] | simple_webp[17] << 8 | simple_webp[18] << 16 |
                        static_cast<uint32_t>(simple_webp[19]) << 24;
  const size_t total = 8 + size + (size & 1);
  if (20 + size > simple_webp.size()) throw std::runtime_error("WebP chunk truncated");
  std::vector<uint8_t> chunk(simple_webp.begin() + 12,
                             simple_webp.begin() + 12 + std::min(total, simple_webp.size() - 12));
  chunk.resize(total, 0);
  return chunk;
}

std::vector<uint8_t> riff_webp(const std::vector<uint8_t>& chunks) {
  std::vector<uint8_t> out = {'R', 'I', 'F', 'F'};
  put_le32(&out, static_cast<uint32_t>(4 + chunks.size()));
  out.insert(out.end(), {'W', 'E', 'B', 'P'});
  append(&out, chunks);
  return out;
}

std::vector<uint8_t> riff_chunk(const char* type, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out(type, type + 4);
  put_le32(&out, static_cast<uint32_t>(payload.size()));
  append(&out, payload);
  if (payload.size() & 1) out.push_back(0);
  return out;
}

std::vector<uint8_t> vp8x(uint8_t flags, int width, int height) {
  std::vector<uint8_t> payload = {flags, 0, 0, 0};
  put_le24(&payload, static_cast<uint32_t>(width - 1));
  put_le24(&payload, static_cast<uint32_t>(height - 1));
  return riff_chunk("VP8X", payload);
}

}  // namespace

Image make_gradient(int width, int height, bool with_alpha) {
  Image img;
  img.width = width;
  img.height = height;
  img.rgb.resize(static_cast<size_t>(width) * height * 3);
  if (with_alpha) img.alpha.resize(static_cast<size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const size_t i = static_cast<size_t>(y) * width + x;
      img.rgb[i * 3 + 0] = static_cast<uint8_t>(x * 255 / std::max(1, width - 1));
      img.rgb[i * 3 + 1] = static_cast<uint8_t>(y * 255 / std::max(1, height - 1));
      img.rgb[i * 3 + 2] = static_cast<uint8_t>(128 + 60 * std::sin((x + y) * 0.1));
      if (with_alpha) img.alpha[i] = static_cast<uint8_t>((x * 7 + y * 13) % 256);
    }
  }
  return img;
}

Image make_solid(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  Image img;
  img.width = width;
  img.height = height;
  for (int i = 0; i < width * height; ++i) img.rgb.insert(img.rgb.end(), {r, g, b});
  return img;
}

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.size() != b.size() || a.empty()) return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    sum += d * d;
  }
  if (sum == 0.0) return 99.0;
  return 10.0 * std::log10(255.0 * 255.0 / (sum / a.size()));
}

std::vector<uint8_t> png_chunk(const char* type, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out;
  put_be32(&out, static_cast<uint32_t>(data.size()));
  out.insert(out.end(), type, type + 4);
  append(&out, data);
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(type), 4);
  crc = crc32(crc, data.data(), static_cast<uInt>(data.size()));
  put_be32(&out, static_cast<uint32_t>(crc));
  return out;
}

RawPng raw_png(uint32_t width, uint32_t height, int bit_depth, int color_type) {
  RawPng png;
  png.width = width;
  png.height = height;
  png.bit_depth = bit_depth;
  png.color_type = color_type;
  return png;
}

std::vector<uint8_t> build_png(const RawPng& png) {
  const size_t expected =
      static_cast<size_t>(png.width) * png.height * png_channels(png.color_type);
  if (png.samples.size() != expected) throw std::runtime_error("RawPng: wrong sample count");
  std::vector<uint8_t> raw;
  if (!png.interlaced) {
    for (uint32_t y = 0; y < png.height; ++y) append_scanline(png, y, 0, 1, &raw);
  } else {
    // Adam7: (x0, y0, dx, dy) per pass; empty passes have no scanlines at all.
    static constexpr uint32_t kPasses[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8},
                                               {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2},
                                               {0, 1, 1, 2}};
    for (const auto& p : kPasses) {
      if (p[0] >= png.width || p[1] >= png.height) continue;
      for (uint32_t y = p[1]; y < png.height; y += p[3]) append_scanline(png, y, p[0], p[2], &raw);
    }
  }
  std::vector<uint8_t> out =
      png_signature_and_ihdr(png.width, png.height, png.bit_depth, png.color_type, png.interlaced);
  if (!png.exif.empty()) append(&out, png_chunk("eXIf", png.exif));
  if (!png.plte.empty()) append(&out, png_chunk("PLTE", png.plte));
  if (!png.trns.empty()) append(&out, png_chunk("tRNS", png.trns));
  append(&out, png_chunk("IDAT", zlib_compress(raw)));
  append(&out, png_chunk("IEND", {}));
  return out;
}

std::vector<uint8_t> png_claiming_size(uint32_t width, uint32_t height) {
  std::vector<uint8_t> out = png_signature_and_ihdr(width, height, 8, 2, false);
  append(&out, png_chunk("IDAT", zlib_compress({0, 1, 2, 3})));
  append(&out, png_chunk("IEND", {}));
  return out;
}

std::vector<uint8_t> write_jpeg_with_libjpeg(const std::vector<uint8_t>& samples, int width,
                                             int height, int components, J_COLOR_SPACE color_space,
                                             int quality, bool adobe_marker, bool progressive) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);  // exits on error: acceptable for fixed, valid test input
  jpeg_create_compress(&c);
  unsigned char* mem = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &mem, &size);
  c.image_width = static_cast<JDIMENSION>(width);
  c.image_height = static_cast<JDIMENSION>(height);
  c.input_components = components;
  c.in_color_space = color_space;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  for (int i = 0; i < c.num_components; ++i) {
    c.comp_info[i].h_samp_factor = 1;
    c.comp_info[i].v_samp_factor = 1;
  }
  if (color_space == JCS_CMYK) c.write_Adobe_marker = adobe_marker ? TRUE : FALSE;
  if (progressive) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(samples.data()) +
                   c.next_scanline * static_cast<size_t>(width) * components;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::vector<uint8_t> out(mem, mem + size);
  std::free(mem);
  return out;
}

std::vector<uint8_t> write_jpeg_with_many_scans(const std::vector<uint8_t>& rgb, int width,
                                                int height) {
  std::vector<jpeg_scan_info> scans;
  scans.push_back({3, {0, 1, 2, 0}, 0, 0, 0, 0});  // DC of all components
  for (int comp = 0; comp < 3; ++comp) {
    for (int k = 1; k < 64; ++k) {
      scans.push_back({1, {comp, 0, 0, 0}, k, k, 0, 10});
      for (int al = 9; al >= 0; --al) scans.push_back({1, {comp, 0, 0, 0}, k, k, al + 1, al});
    }
  }
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* mem = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &mem, &size);
  c.image_width = static_cast<JDIMENSION>(width);
  c.image_height = static_cast<JDIMENSION>(height);
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  c.scan_info = scans.data();
  c.num_scans = static_cast<int>(scans.size());
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row =
        const_cast<uint8_t*>(rgb.data()) + c.next_scanline * static_cast<size_t>(width) * 3;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::vector<uint8_t> out(mem, mem + size);
  std::free(mem);
  return out;
}

std::vector<uint8_t> exif_tiff(int orientation, bool big_endian) {
  std::vector<uint8_t> t;
  if (big_endian) {
    t.insert(t.end(), {'M', 'M'});
  } else {
    t.insert(t.end(), {'I', 'I'});
  }
  put16(&t, 42, big_endian);
  put32(&t, 8, big_endian);  // IFD0 right after the header
  put16(&t, 2, big_endian);  // two entries, sorted by tag
  // Make (0x010F), ASCII, 4 bytes "Tst\0" stored inline.
  put16(&t, 0x010F, big_endian);
  put16(&t, 2, big_endian);
  put32(&t, 4, big_endian);
  t.insert(t.end(), {'T', 's', 't', 0});
  // Orientation (0x0112), SHORT, count 1, value left-aligned in the 4-byte field.
  put16(&t, 0x0112, big_endian);
  put16(&t, 3, big_endian);
  put32(&t, 1, big_endian);
  put16(&t, static_cast<uint16_t>(orientation), big_endian);
  put16(&t, 0, big_endian);
  put32(&t, 0, big_endian);  // no next IFD
  return t;
}

std::vector<uint8_t> with_exif_app1(const std::vector<uint8_t>& jpeg,
                                    const std::vector<uint8_t>& tiff) {
  std::vector<uint8_t> segment = {0xFF, 0xE1};
  const size_t length = 2 + 6 + tiff.size();
  segment.push_back(static_cast<uint8_t>(length >> 8));
  segment.push_back(static_cast<uint8_t>(length));
  segment.insert(segment.end(), {'E', 'x', 'i', 'f', 0, 0});
  append(&segment, tiff);
  std::vector<uint8_t> out(jpeg.begin(), jpeg.begin() + 2);  // SOI
  append(&out, segment);
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

std::vector<uint8_t> webp_with_exif(const std::vector<uint8_t>& simple_webp, int width, int height,
                                    const std::vector<uint8_t>& tiff) {
  std::vector<uint8_t> chunks = vp8x(0x08 /* EXIF */, width, height);
  append(&chunks, image_chunk(simple_webp));
  append(&chunks, riff_chunk("EXIF", tiff));
  return riff_webp(chunks);
}

std::vector<uint8_t> animated_webp(const std::vector<uint8_t>& simple_webp, int width, int height) {
  std::vector<uint8_t> chunks = vp8x(0x02 /* animation */, width, height);
  append(&chunks, riff_chunk("ANIM", {0, 0, 0, 0, 0, 0}));
  for (int frame = 0; frame < 2; ++frame) {
    std::vector<uint8_t> anmf;
    put_le24(&anmf, 0);  // x / 2
    put_le24(&anmf, 0);  // y / 2
    put_le24(&anmf, static_cast<uint32_t>(width - 1));
    put_le24(&anmf, static_cast<uint32_t>(height - 1));
    put_le24(&anmf, 100);  // duration, ms
    anmf.push_back(0);
    append(&anmf, image_chunk(simple_webp));
    append(&chunks, riff_chunk("ANMF", anmf));
  }
  return riff_webp(chunks);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base ? base : "/tmp") + "/toonbox-image-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::entries() const {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(path_)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

}  // namespace toonbox::image_test
