// Decoders see untrusted bytes. Randomly damaged files must give a Status (or a valid
// image), never a crash, a hang or an out-of-bounds access; run under the sanitizer build
// (TOONBOX_SANITIZE=ON) this catches memory errors in the parsing paths.
#include <gtest/gtest.h>

#include <random>

#include "image/image.h"
#include "image/image_io.h"
#include "image_test_util.h"

namespace toonbox {
namespace {

void damage_and_decode(const std::vector<uint8_t>& good, uint32_t seed) {
  std::mt19937 rng(seed);
  DecodeOptions opts;
  opts.max_pixels = 1'000'000;  // damaged headers may claim large sizes; keep the run fast
  for (int round = 0; round < 1000; ++round) {
    std::vector<uint8_t> bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    if (round % 3 == 0) bytes.resize(1 + rng() % bytes.size());
    Result<Image> img = decode_image(bytes.data(), bytes.size(), opts);
    if (img.is_ok()) {
      const size_t pixels = static_cast<size_t>(img->width) * static_cast<size_t>(img->height);
      ASSERT_EQ(img->rgb.size(), pixels * 3);
      ASSERT_TRUE(img->alpha.empty() || img->alpha.size() == pixels);
    } else {
      const StatusCode code = img.status().code();
      ASSERT_TRUE(code == StatusCode::kDataLoss || code == StatusCode::kResourceExhausted ||
                  code == StatusCode::kUnimplemented || code == StatusCode::kInvalidArgument)
          << img.status().to_string();
      ASSERT_FALSE(img.status().message().empty());
    }
  }
}

TEST(ImageCorrupt, DamagedFilesNeverCrash) {
  const Image src = image_test::make_gradient(48, 32, true);
  uint32_t seed = 1;
  for (ImageFormat format : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kWebp}) {
    for (int quality : {75, 100}) {
      SCOPED_TRACE(std::string(image_format_name(format)) + " q" + std::to_string(quality));
      damage_and_decode(encode_image(src, {format, quality}).value(), seed++);
    }
  }
  // Formats our encoder does not produce: interlaced 16-bit PNG, progressive JPEG, CMYK.
  image_test::RawPng raw = image_test::raw_png(9, 7, 16, 6);
  raw.interlaced = true;
  for (size_t i = 0; i < 9 * 7 * 4; ++i) raw.samples.push_back(static_cast<uint16_t>(i * 997));
  damage_and_decode(image_test::build_png(raw), seed++);
  damage_and_decode(image_test::write_jpeg_with_libjpeg(src.rgb, 48, 32, 3, JCS_RGB, 80, false,
                                                        /*progressive=*/true),
                    seed++);
  damage_and_decode(image_test::write_jpeg_with_libjpeg(std::vector<uint8_t>(48 * 32 * 4, 100), 48,
                                                        32, 4, JCS_CMYK, 80),
                    seed++);
}

}  // namespace
}  // namespace toonbox
