#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>  // before jpeglib.h, which needs size_t and FILE

#include <jpeglib.h>

#include "image/image.h"
#include "image/image_io.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

Image decode_ok(const std::vector<uint8_t>& bytes, const DecodeOptions& opts = {}) {
  Result<Image> img = decode_image(bytes.data(), bytes.size(), opts);
  EXPECT_TRUE(img.is_ok()) << img.status().to_string();
  return img.is_ok() ? std::move(img).value() : Image{};
}

// Reads the luma sampling factors straight from libjpeg, independent of our decoder.
std::pair<int, int> luma_sampling(const std::vector<uint8_t>& jpeg) {
  jpeg_decompress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_decompress(&c);
  jpeg_mem_src(&c, jpeg.data(), jpeg.size());
  jpeg_read_header(&c, TRUE);
  std::pair<int, int> f{c.comp_info[0].h_samp_factor, c.comp_info[0].v_samp_factor};
  jpeg_destroy_decompress(&c);
  return f;
}

TEST(ImageJpeg, RoundTripWithinPsnrBound) {
  const Image src = image_test::make_gradient(64, 48, false);
  for (int quality : {92, 75}) {
    Result<std::vector<uint8_t>> jpeg = encode_image(src, {ImageFormat::kJpeg, quality});
    ASSERT_TRUE(jpeg.is_ok()) << jpeg.status().to_string();
    EXPECT_EQ(sniff_format(jpeg->data(), jpeg->size()), ImageFormat::kJpeg);
    const Image back = decode_ok(jpeg.value());
    ASSERT_EQ(back.width, 64);
    ASSERT_EQ(back.height, 48);
    EXPECT_GT(image_test::psnr(src.rgb, back.rgb), quality >= 90 ? 38.0 : 32.0) << "q" << quality;
  }
}

TEST(ImageJpeg, ChromaSubsamplingFollowsQuality) {
  const Image src = image_test::make_gradient(32, 32, false);
  EXPECT_EQ(luma_sampling(encode_image(src, {ImageFormat::kJpeg, 95}).value()),
            std::make_pair(1, 1));  // 4:4:4
  EXPECT_EQ(luma_sampling(encode_image(src, {ImageFormat::kJpeg, 80}).value()),
            std::make_pair(2, 2));  // 4:2:0
}

TEST(ImageJpeg, AlphaIsDropped) {
  const Image src = image_test::make_gradient(16, 16, true);
  const Image back = decode_ok(encode_image(src, {ImageFormat::kJpeg, 95}).value());
  EXPECT_FALSE(back.has_alpha());
  EXPECT_GT(image_test::psnr(src.rgb, back.rgb), 35.0);
}

TEST(ImageJpeg, QualityOutOfRangeIsInvalidArgument) {
  const Image src = image_test::make_solid(8, 8, 1, 2, 3);
  EXPECT_EQ(encode_image(src, {ImageFormat::kJpeg, 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(encode_image(src, {ImageFormat::kJpeg, 101}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ImageJpeg, GrayscaleBecomesEqualRgb) {
  // 8x8 flat blocks survive JPEG almost exactly.
  std::vector<uint8_t> gray(32 * 8);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 32; ++x) gray[y * 32 + x] = static_cast<uint8_t>(30 + 60 * (x / 8));
  }
  const std::vector<uint8_t> jpeg =
      image_test::write_jpeg_with_libjpeg(gray, 32, 8, 1, JCS_GRAYSCALE, 100);
  Result<ImageInfo> info = probe_image(jpeg.data(), jpeg.size());
  ASSERT_TRUE(info.is_ok());
  EXPECT_EQ(info->channels, 1);
  const Image img = decode_ok(jpeg);
  ASSERT_EQ(img.rgb.size(), 32u * 8 * 3);
  for (int i = 0; i < 32 * 8; ++i) {
    EXPECT_EQ(img.rgb[i * 3], img.rgb[i * 3 + 1]);
    EXPECT_EQ(img.rgb[i * 3], img.rgb[i * 3 + 2]);
    EXPECT_NEAR(img.rgb[i * 3], gray[i], 1) << "pixel " << i;
  }
}

struct Cmyk {
  uint8_t c, m, y, k;  // ink amounts, 255 = full ink
  uint8_t r, g, b;     // the colour they make
};

constexpr Cmyk kCmykColours[] = {
    {0, 255, 255, 0, 255, 0, 0},    // red
    {255, 0, 255, 0, 0, 255, 0},    // green
    {255, 255, 0, 0, 0, 0, 255},    // blue
    {0, 0, 0, 0, 255, 255, 255},    // paper white
    {0, 0, 0, 255, 0, 0, 0},        // black
    {0, 0, 0, 128, 127, 127, 127},  // 50% black: 255 * (1 - 128/255)
    {0, 128, 255, 0, 255, 127, 0},  // orange
};

// Four 8x8 blocks per colour row so each colour is flat within whole JPEG blocks.
void check_cmyk_jpeg(bool adobe_inverted) {
  const int n = static_cast<int>(std::size(kCmykColours));
  const int width = 8 * n, height = 8;
  std::vector<uint8_t> samples;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const Cmyk& c = kCmykColours[x / 8];
      for (uint8_t ink : {c.c, c.m, c.y, c.k}) {
        samples.push_back(adobe_inverted ? static_cast<uint8_t>(255 - ink) : ink);
      }
    }
  }
  const std::vector<uint8_t> jpeg = image_test::write_jpeg_with_libjpeg(
      samples, width, height, 4, JCS_CMYK, 100, /*adobe_marker=*/adobe_inverted);
  Result<ImageInfo> info = probe_image(jpeg.data(), jpeg.size());
  ASSERT_TRUE(info.is_ok());
  EXPECT_EQ(info->channels, 4);
  const Image img = decode_ok(jpeg);
  ASSERT_EQ(img.width, width);
  for (int i = 0; i < n; ++i) {
    const uint8_t* p = img.rgb.data() + (4 * width + 8 * i + 4) * 3;  // centre of block i
    EXPECT_NEAR(p[0], kCmykColours[i].r, 2) << "colour " << i;
    EXPECT_NEAR(p[1], kCmykColours[i].g, 2) << "colour " << i;
    EXPECT_NEAR(p[2], kCmykColours[i].b, 2) << "colour " << i;
  }
}

TEST(ImageJpeg, AdobeInvertedCmykBecomesRgb) { check_cmyk_jpeg(true); }

TEST(ImageJpeg, PlainCmykBecomesRgb) { check_cmyk_jpeg(false); }

TEST(ImageJpeg, TruncatedIsDataLossNotGreyPadding) {
  const Image src = image_test::make_gradient(96, 96, false);
  const std::vector<uint8_t> jpeg = encode_image(src, {ImageFormat::kJpeg, 90}).value();
  for (size_t keep : {size_t{4}, size_t{100}, jpeg.size() / 2, jpeg.size() - 50}) {
    Result<Image> img = decode_image(jpeg.data(), keep, {});
    ASSERT_FALSE(img.is_ok()) << "kept " << keep << " of " << jpeg.size();
    EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(img.status().message(), "truncated JPEG data (premature end of file)");
  }
}

// Every cut point, not just a few: the end can fall in a header, between scans, inside an
// MCU or right after the last one.
TEST(ImageJpeg, EveryTruncationOfBaselineFails) {
  const std::vector<uint8_t> jpeg =
      encode_image(image_test::make_gradient(40, 24, false), {ImageFormat::kJpeg, 85}).value();
  for (size_t keep = 3; keep + 2 < jpeg.size(); ++keep) {
    Result<Image> img = decode_image(jpeg.data(), keep, {});
    ASSERT_FALSE(img.is_ok()) << "kept " << keep << " of " << jpeg.size();
    ASSERT_EQ(img.status().code(), StatusCode::kDataLoss) << img.status().message();
  }
}

TEST(ImageJpeg, EveryTruncationOfProgressiveFails) {
  const Image src = image_test::make_gradient(40, 24, false);
  const std::vector<uint8_t> jpeg = image_test::write_jpeg_with_libjpeg(
      src.rgb, 40, 24, 3, JCS_RGB, 85, /*adobe_marker=*/false, /*progressive=*/true);
  ASSERT_TRUE(decode_image(jpeg.data(), jpeg.size(), {}).is_ok());
  for (size_t keep = 3; keep < jpeg.size(); ++keep) {
    Result<Image> img = decode_image(jpeg.data(), keep, {});
    ASSERT_FALSE(img.is_ok()) << "kept " << keep << " of " << jpeg.size();
    ASSERT_EQ(img.status().code(), StatusCode::kDataLoss) << img.status().message();
  }
}

TEST(ImageJpeg, MissingEoiOnlyStillDecodes) {
  const Image src = image_test::make_gradient(32, 32, false);
  std::vector<uint8_t> jpeg = encode_image(src, {ImageFormat::kJpeg, 95}).value();
  ASSERT_EQ(jpeg[jpeg.size() - 2], 0xFF);
  ASSERT_EQ(jpeg[jpeg.size() - 1], 0xD9);
  jpeg.resize(jpeg.size() - 2);
  const Image img = decode_ok(jpeg);
  EXPECT_GT(image_test::psnr(src.rgb, img.rgb), 38.0);
}

TEST(ImageJpeg, TwelveBitIsUnimplementedNotCorrupt) {
  std::vector<uint8_t> jpeg =
      encode_image(image_test::make_gradient(16, 16, false), {ImageFormat::kJpeg, 90}).value();
  size_t sof = 2;
  while (sof + 4 < jpeg.size() && !(jpeg[sof] == 0xFF && jpeg[sof + 1] == 0xC0)) ++sof;
  ASSERT_LT(sof + 4, jpeg.size()) << "no SOF0 marker";
  jpeg[sof + 4] = 12;  // sample precision
  Result<Image> img = decode_image(jpeg.data(), jpeg.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(img.status().message().find("only 8-bit JPEG"), std::string::npos)
      << img.status().message();
}

TEST(ImageJpeg, ThousandsOfScansAreRefused) {
  const Image src = image_test::make_gradient(16, 16, false);
  const std::vector<uint8_t> jpeg = image_test::write_jpeg_with_many_scans(src.rgb, 16, 16);
  Result<Image> img = decode_image(jpeg.data(), jpeg.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(img.status().message().find("more than 1000 progressive scans"), std::string::npos)
      << img.status().message();
}

TEST(ImageJpeg, GarbageAfterHeaderIsDataLoss) {
  std::vector<uint8_t> bytes = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0x00, 0x12, 0x34};
  Result<Image> img = decode_image(bytes.data(), bytes.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
}

TEST(ImageJpeg, PixelLimitCheckedFromHeader) {
  const Image src = image_test::make_gradient(100, 50, false);
  const std::vector<uint8_t> jpeg = encode_image(src, {ImageFormat::kJpeg, 90}).value();
  DecodeOptions opts;
  opts.max_pixels = 4999;
  Result<Image> img = decode_image(jpeg.data(), jpeg.size(), opts);
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(img.status().message().find("100x50"), std::string::npos);
  opts.max_pixels = 5000;
  EXPECT_TRUE(decode_image(jpeg.data(), jpeg.size(), opts).is_ok());
}

}  // namespace
}  // namespace toonbox
