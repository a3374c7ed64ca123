// Decoders see untrusted bytes. Randomly damaged files must give a Status (or a valid
// image), never a crash, a hang or an out-of-bounds access; run under the sanitizer build
// (TOONBOX_SANITIZE=ON) this catches memory errors in the parsing paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "image/image.h"
#include "image/image_io.h"
#include "image_test_util.h"

using namespace toonbox::image;

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

// Issue 18: a truncated JPEG, or one with 200 random bytes in the middle of its scan data,
// decoded "successfully" with the rest of the image grey (libjpeg only warns). Both must
// fail, with a message that says the data is corrupt or truncated.
TEST(ImageCorrupt, DamagedJpegScanDataFailsInsteadOfTurningGrey) {
  Image src = image_test::make_gradient(320, 240, false);
  std::mt19937 texture(7);
  for (uint8_t& v : src.rgb) v = static_cast<uint8_t>(v / 2 + texture() % 128);  // detail, so the scan is long
  for (int quality : {75, 95}) {
    const std::vector<uint8_t> good = encode_image(src, {ImageFormat::kJpeg, quality}).value();
    size_t sos = 0;
    for (size_t i = 0; i + 1 < good.size(); ++i)
      if (good[i] == 0xFF && good[i + 1] == 0xDA) sos = i;
    ASSERT_GT(sos, 0u);
    const size_t scan = sos + 2 + (size_t{good[sos + 2]} << 8 | good[sos + 3]);
    ASSERT_TRUE(decode_image(good.data(), good.size(), {}).is_ok());
    int random_failed = 0, truncated_failed = 0;
    constexpr int kTrials = 20;
    for (int seed = 0; seed < kTrials; ++seed) {
      std::mt19937 rng(seed);
      std::vector<uint8_t> bytes = good;
      const size_t at = scan + (good.size() - scan - 400) * (seed + 1) / (kTrials + 1);
      for (size_t k = 0; k < 200; ++k) bytes[at + k] = static_cast<uint8_t>(rng());
      auto img = decode_image(bytes.data(), bytes.size(), {});
      if (!img.is_ok()) {
        ++random_failed;
        EXPECT_EQ(img.status().code(), StatusCode::kDataLoss) << img.status().to_string();
        EXPECT_NE(img.status().message().find("JPEG"), std::string::npos) << img.status().to_string();
      } else {
        // Huffman codes often resynchronise after damage, leaving a few wrong blocks that
        // no decoder can tell from real ones. What must never pass is the grey fill
        // libjpeg puts where it stopped decoding: no row may be uniform grey.
        int grey_rows = 0;
        for (int y = 0; y < img->height; ++y) {
          const uint8_t* row = &img->rgb[static_cast<size_t>(y) * img->width * 3];
          grey_rows += std::all_of(row, row + img->width * 3, [&](uint8_t v) { return v == row[0]; });
        }
        EXPECT_EQ(grey_rows, 0) << "seed " << seed << " q" << quality;
      }
      std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(scan + (good.size() - scan) * (seed + 1) / (kTrials + 2)));
      auto t = decode_image(cut.data(), cut.size(), {});
      truncated_failed += !t.is_ok();
      if (!t.is_ok()) {
        EXPECT_NE(t.status().message().find("truncated"), std::string::npos) << t.status().to_string();
      }
    }
    // Most damage is detected (measured: 17 of 20 and more); the rest decodes without grey.
    EXPECT_GE(random_failed, kTrials / 2) << "q" << quality;
    EXPECT_EQ(truncated_failed, kTrials) << "q" << quality;
  }
}

}  // namespace
}  // namespace toonbox
