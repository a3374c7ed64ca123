// Test-side photo loading for model tests: JPEG decode with libjpeg and an area-average
// downscale, kept here so model tests do not depend on the image layer they check.
#pragma once

#include <cstdio>  // before jpeglib.h, which uses FILE without including it

#include <jpeglib.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace toonbox::test {

// Where shared test data lives: $TOONBOX_SHARED_DIR, else the `shared` folder beside
// the repository.
inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("TOONBOX_SHARED_DIR"); env && *env) return env;
  return std::filesystem::path(TOONBOX_SOURCE_DIR).parent_path() / "shared";
}

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes a pixel
};

namespace detail {
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};
inline void on_jpeg_error(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<JpegError*>(cinfo->err)->jump, 1);
}
}  // namespace detail

// Decodes a JPEG to RGB (EXIF orientation ignored: both sides of a comparison get the
// same pixels). Returns an empty image on failure.
inline RgbImage read_jpeg(const std::filesystem::path& path) {
  RgbImage img;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return img;
  jpeg_decompress_struct cinfo;
  detail::JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = detail::on_jpeg_error;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    std::fclose(f);
    return RgbImage{};
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  img.width = static_cast<int>(cinfo.output_width);
  img.height = static_cast<int>(cinfo.output_height);
  img.rgb.resize(static_cast<size_t>(img.width) * img.height * 3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = img.rgb.data() + static_cast<size_t>(cinfo.output_scanline) * img.width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  std::fclose(f);
  return img;
}

// Source pixels and weights of each output pixel of a 1-D area-average resample.
inline std::vector<std::vector<std::pair<int, double>>> area_weights(int in, int out) {
  std::vector<std::vector<std::pair<int, double>>> w(out);
  const double scale = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    const double start = o * scale, end = (o + 1) * scale;
    for (int i = static_cast<int>(std::floor(start));
         i < static_cast<int>(std::ceil(end)) && i < in; ++i) {
      const double overlap = std::min(end, i + 1.0) - std::max(start, static_cast<double>(i));
      if (overlap > 0) w[o].push_back({i, overlap / scale});
    }
  }
  return w;
}

// Area-averages `img` down so the long side is about `long_side`, both sides multiples
// of `multiple`, and maps it to the model's [-1, 1] NHWC float input.
inline Tensor photo_to_input(const RgbImage& img, int long_side, int multiple) {
  const double s = static_cast<double>(long_side) / std::max(img.width, img.height);
  const int ow =
      std::max(multiple, static_cast<int>(std::lround(img.width * s / multiple)) * multiple);
  const int oh =
      std::max(multiple, static_cast<int>(std::lround(img.height * s / multiple)) * multiple);
  const auto wx = area_weights(img.width, ow), wy = area_weights(img.height, oh);
  std::vector<double> rows(static_cast<size_t>(img.height) * ow * 3, 0.0);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < ow; ++x)
      for (const auto& [i, wgt] : wx[x])
        for (int c = 0; c < 3; ++c)
          rows[(static_cast<size_t>(y) * ow + x) * 3 + c] +=
              wgt * img.rgb[(static_cast<size_t>(y) * img.width + i) * 3 + c];
  Tensor t(DType::kFloat32, {1, oh, ow, 3});
  float* out = t.data<float>();
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x)
      for (int c = 0; c < 3; ++c) {
        double v = 0;
        for (const auto& [j, wgt] : wy[y])
          v += wgt * rows[(static_cast<size_t>(j) * ow + x) * 3 + c];
        out[(static_cast<size_t>(y) * ow + x) * 3 + c] = static_cast<float>(v / 127.5 - 1.0);
      }
  return t;
}

}  // namespace toonbox::test
