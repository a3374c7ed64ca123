#include <gtest/gtest.h>

#include "image/image.h"
#include "image/image_io.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

using image_test::build_png;
using image_test::raw_png;
using image_test::RawPng;

Image decode_ok(const std::vector<uint8_t>& bytes, const DecodeOptions& opts = {}) {
  Result<Image> img = decode_image(bytes.data(), bytes.size(), opts);
  EXPECT_TRUE(img.is_ok()) << img.status().to_string();
  return img.is_ok() ? std::move(img).value() : Image{};
}

uint8_t scale16(uint16_t v) { return static_cast<uint8_t>((v * 255u + 32767u) / 65535u); }

TEST(ImagePng, RoundTripRgbIsExact) {
  const Image src = image_test::make_gradient(37, 23, false);
  Result<std::vector<uint8_t>> png = encode_image(src, {ImageFormat::kPng});
  ASSERT_TRUE(png.is_ok()) << png.status().to_string();
  EXPECT_EQ(sniff_format(png->data(), png->size()), ImageFormat::kPng);
  const Image back = decode_ok(png.value());
  EXPECT_EQ(back.width, 37);
  EXPECT_EQ(back.height, 23);
  EXPECT_EQ(back.rgb, src.rgb);
  EXPECT_FALSE(back.has_alpha());
}

TEST(ImagePng, RoundTripKeepsAlphaExactly) {
  const Image src = image_test::make_gradient(31, 17, true);
  Result<std::vector<uint8_t>> png = encode_image(src, {ImageFormat::kPng});
  ASSERT_TRUE(png.is_ok()) << png.status().to_string();
  const Image back = decode_ok(png.value());
  ASSERT_TRUE(back.has_alpha());
  EXPECT_EQ(back.rgb, src.rgb);
  EXPECT_EQ(back.alpha, src.alpha);
  Result<ImageInfo> info = probe_image(png->data(), png->size());
  ASSERT_TRUE(info.is_ok());
  EXPECT_TRUE(info->has_alpha);
  EXPECT_EQ(info->channels, 4);
}

TEST(ImagePng, Gray8BecomesEqualRgb) {
  RawPng raw = raw_png(5, 2, 8, 0);
  raw.samples = {0, 1, 127, 128, 255, 10, 20, 30, 40, 50};
  const Image img = decode_ok(build_png(raw));
  ASSERT_EQ(img.rgb.size(), 30u);
  for (size_t i = 0; i < raw.samples.size(); ++i) {
    EXPECT_EQ(img.rgb[i * 3 + 0], raw.samples[i]) << i;
    EXPECT_EQ(img.rgb[i * 3 + 1], raw.samples[i]) << i;
    EXPECT_EQ(img.rgb[i * 3 + 2], raw.samples[i]) << i;
  }
  EXPECT_FALSE(img.has_alpha());
}

TEST(ImagePng, LowBitDepthGrayScalesToFullRange) {
  // 2-bit gray: 0,1,2,3 mean 0,85,170,255.
  RawPng raw = raw_png(5, 1, 2, 0);
  raw.samples = {0, 1, 2, 3, 1};
  const Image img = decode_ok(build_png(raw));
  const uint8_t expected[] = {0, 85, 170, 255, 85};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(img.rgb[i * 3 + 1], expected[i]) << i;
}

TEST(ImagePng, GrayAlphaKeepsAlpha) {
  RawPng raw = raw_png(2, 1, 8, 4);
  raw.samples = {200, 10, 50, 255};
  const Image img = decode_ok(build_png(raw));
  ASSERT_TRUE(img.has_alpha());
  EXPECT_EQ(img.rgb, (std::vector<uint8_t>{200, 200, 200, 50, 50, 50}));
  EXPECT_EQ(img.alpha, (std::vector<uint8_t>{10, 255}));
}

TEST(ImagePng, SixteenBitRgbRoundsToNearest) {
  // Values where truncating to the high byte and rounding differ.
  const std::vector<uint16_t> values = {0,     128,   129,   383,   384,  32767,
                                        32896, 65279, 65407, 65535, 1000, 54321};
  RawPng raw = raw_png(4, 1, 16, 2);
  raw.samples = values;
  const Image img = decode_ok(build_png(raw));
  ASSERT_EQ(img.rgb.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(img.rgb[i], scale16(values[i])) << "16-bit value " << values[i];
  }
  // Spot-check the rounding itself: 383/65535*255 = 1.49 -> 1, 384 -> 1.494 -> 1, 32896 -> 128.
  EXPECT_EQ(scale16(129), 1);
  EXPECT_EQ(scale16(32896), 128);
}

TEST(ImagePng, SixteenBitGrayAlpha) {
  RawPng raw = raw_png(2, 1, 16, 4);
  raw.samples = {65535, 32768, 257, 65535};
  const Image img = decode_ok(build_png(raw));
  ASSERT_TRUE(img.has_alpha());
  EXPECT_EQ(img.rgb, (std::vector<uint8_t>{255, 255, 255, 1, 1, 1}));
  EXPECT_EQ(img.alpha, (std::vector<uint8_t>{scale16(32768), 255}));
}

TEST(ImagePng, SixteenBitRgba) {
  RawPng raw = raw_png(1, 2, 16, 6);
  raw.samples = {65535, 0, 4112, 30000, 12850, 52428, 65535, 0};
  const Image img = decode_ok(build_png(raw));
  ASSERT_TRUE(img.has_alpha());
  EXPECT_EQ(img.rgb, (std::vector<uint8_t>{255, 0, 16, 50, 204, 255}));
  EXPECT_EQ(img.alpha, (std::vector<uint8_t>{scale16(30000), 0}));
}

TEST(ImagePng, PaletteWithTrnsGivesAlpha) {
  RawPng raw = raw_png(4, 1, 4, 3);
  raw.plte = {255, 0, 0, 0, 255, 0, 0, 0, 255};
  raw.trns = {0, 128};  // entries 0 and 1; entry 2 opaque
  raw.samples = {0, 1, 2, 1};
  const std::vector<uint8_t> bytes = build_png(raw);
  const Image img = decode_ok(bytes);
  ASSERT_TRUE(img.has_alpha());
  EXPECT_EQ(img.rgb, (std::vector<uint8_t>{255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 0}));
  EXPECT_EQ(img.alpha, (std::vector<uint8_t>{0, 128, 255, 128}));
  Result<ImageInfo> info = probe_image(bytes.data(), bytes.size());
  ASSERT_TRUE(info.is_ok());
  EXPECT_EQ(info->bit_depth, 4);
  EXPECT_TRUE(info->has_alpha);
}

TEST(ImagePng, PaletteWithoutTrnsHasNoAlpha) {
  RawPng raw = raw_png(2, 1, 8, 3);
  raw.plte = {1, 2, 3, 4, 5, 6};
  raw.samples = {1, 0};
  const Image img = decode_ok(build_png(raw));
  EXPECT_FALSE(img.has_alpha());
  EXPECT_EQ(img.rgb, (std::vector<uint8_t>{4, 5, 6, 1, 2, 3}));
}

TEST(ImagePng, RgbTrnsColourKeyBecomesAlpha) {
  RawPng raw = raw_png(2, 1, 8, 2);
  raw.trns = {0, 10, 0, 20, 0, 30};  // 16-bit R, G, B of the transparent colour
  raw.samples = {10, 20, 30, 10, 20, 31};
  const Image img = decode_ok(build_png(raw));
  ASSERT_TRUE(img.has_alpha());
  EXPECT_EQ(img.alpha, (std::vector<uint8_t>{0, 255}));
}

TEST(ImagePng, InterlacedMatchesNonInterlaced) {
  const Image src = image_test::make_gradient(13, 11, true);
  RawPng raw = raw_png(13, 11, 8, 6);
  for (size_t i = 0; i < 13 * 11; ++i) {
    raw.samples.insert(raw.samples.end(),
                       {src.rgb[i * 3], src.rgb[i * 3 + 1], src.rgb[i * 3 + 2], src.alpha[i]});
  }
  const Image plain = decode_ok(build_png(raw));
  raw.interlaced = true;
  const Image interlaced = decode_ok(build_png(raw));
  EXPECT_EQ(plain.rgb, src.rgb);
  EXPECT_EQ(plain.alpha, src.alpha);
  EXPECT_EQ(interlaced.rgb, src.rgb);
  EXPECT_EQ(interlaced.alpha, src.alpha);
}

TEST(ImagePng, TruncatedIsDataLoss) {
  const Image src = image_test::make_gradient(64, 64, false);
  Result<std::vector<uint8_t>> png = encode_image(src, {ImageFormat::kPng});
  ASSERT_TRUE(png.is_ok());
  for (size_t keep : {size_t{20}, size_t{40}, png->size() / 2, png->size() - 13}) {
    Result<Image> img = decode_image(png->data(), keep, {});
    ASSERT_FALSE(img.is_ok()) << "kept " << keep << " of " << png->size();
    EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(img.status().message().find("truncated PNG"), std::string::npos)
        << img.status().message();
  }
}

// Every cut point up to the IEND chunk (its 12 bytes carry no pixels; a file missing only
// IEND decodes, as in browsers).
TEST(ImagePng, EveryTruncationBeforeIendFails) {
  for (bool alpha : {false, true}) {
    const std::vector<uint8_t> png =
        encode_image(image_test::make_gradient(24, 16, alpha), {ImageFormat::kPng}).value();
    for (size_t keep = 8; keep + 12 < png.size(); ++keep) {
      Result<Image> img = decode_image(png.data(), keep, {});
      ASSERT_FALSE(img.is_ok()) << "kept " << keep << " of " << png.size();
      ASSERT_EQ(img.status().code(), StatusCode::kDataLoss) << img.status().message();
    }
    EXPECT_TRUE(decode_image(png.data(), png.size() - 12, {}).is_ok());
  }
}

TEST(ImagePng, CorruptCrcIsDataLoss) {
  const Image src = image_test::make_gradient(8, 8, false);
  std::vector<uint8_t> png = encode_image(src, {ImageFormat::kPng}).value();
  png[29] ^= 0xFF;  // last byte of the IHDR CRC
  Result<Image> img = decode_image(png.data(), png.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(img.status().message().find("invalid PNG data"), std::string::npos)
      << img.status().message();
}

TEST(ImagePng, HugeHeaderIsRefusedBeforeAllocation) {
  // 100000x100000x3 would be 30 GB: if the check came after allocation this test would die.
  const std::vector<uint8_t> png = image_test::png_claiming_size(100000, 100000);
  Result<ImageInfo> info = probe_image(png.data(), png.size());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->width, 100000);
  Result<Image> img = decode_image(png.data(), png.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(img.status().message(),
            "100000x100000 = 10000 megapixels exceeds the limit of 50 megapixels (raise it with "
            "--max-pixels)");
  // Raising the pixel limit still leaves the per-side cap.
  DecodeOptions opts;
  opts.max_pixels = 20'000'000'000;
  img = decode_image(png.data(), png.size(), opts);
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(img.status().message().find("per side"), std::string::npos);
}

TEST(ImagePng, PixelLimitIsConfigurable) {
  const Image src = image_test::make_gradient(200, 100, false);
  const std::vector<uint8_t> png = encode_image(src, {ImageFormat::kPng}).value();
  DecodeOptions opts;
  opts.max_pixels = 19'999;
  Result<Image> img = decode_image(png.data(), png.size(), opts);
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(img.status().message(),
            "200x100 = 0.02 megapixels exceeds the limit of 0.019999 megapixels (raise it with "
            "--max-pixels)");
  opts.max_pixels = 20'000;
  EXPECT_TRUE(decode_image(png.data(), png.size(), opts).is_ok());
}

TEST(ImagePng, ZeroWidthIsDataLoss) {
  const std::vector<uint8_t> png = image_test::png_claiming_size(0, 10);
  Result<Image> img = decode_image(png.data(), png.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
}

// libpng 1.6.39 allocates an eXIf chunk's declared length up front, ignoring the chunk
// malloc limit: a 139-byte file claiming 1.8 GB made it allocate 1.8 GB (found by
// fuzz/png_fuzz.cc; the input is fuzz/regressions/png/). Refused from the length now.
TEST(ImagePng, AChunkClaimingGigabytesIsRefusedBeforeLibpngAllocatesIt) {
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const std::vector<uint8_t> ihdr = {0, 0, 0, 5, 0, 0, 0, 3, 8, 2, 0, 0, 0};
  const std::vector<uint8_t> ihdr_chunk = image_test::png_chunk("IHDR", ihdr);
  png.insert(png.end(), ihdr_chunk.begin(), ihdr_chunk.end());
  const uint8_t claim[] = {0x6c, 0x00, 0xca, 0x26, 'e', 'X', 'I', 'f', 'I', 'I', '*', 0};
  png.insert(png.end(), std::begin(claim), std::end(claim));
  for (bool decode : {false, true}) {
    Status s = decode ? decode_image(png.data(), png.size(), {}).status() : probe_image(png.data(), png.size()).status();
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.to_string();
    EXPECT_NE(s.message().find("chunk 'eXIf' claims 1811991078 bytes"), std::string::npos) << s.to_string();
  }
}

}  // namespace
}  // namespace toonbox
