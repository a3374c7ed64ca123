#include <gtest/gtest.h>

#include <string>

#include "image/image.h"
#include "image/image_io.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

TEST(ImageFormat, NamesAreStable) {
  EXPECT_STREQ(image_format_name(ImageFormat::kJpeg), "jpeg");
  EXPECT_STREQ(image_format_name(ImageFormat::kPng), "png");
  EXPECT_STREQ(image_format_name(ImageFormat::kWebp), "webp");
  EXPECT_STREQ(image_format_name(ImageFormat::kUnknown), "unknown");
}

TEST(ImageFormat, SniffUsesMagicBytesOnly) {
  const Image img = image_test::make_gradient(8, 8, false);
  for (ImageFormat f : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kWebp}) {
    const std::vector<uint8_t> bytes = encode_image(img, {f, 90}).value();
    EXPECT_EQ(sniff_format(bytes.data(), bytes.size()), f) << image_format_name(f);
  }
  const std::vector<uint8_t> riff_wave = bytes_of(std::string("RIFF\x10\0\0\0WAVEfmt ", 16));
  EXPECT_EQ(sniff_format(riff_wave.data(), riff_wave.size()), ImageFormat::kUnknown);
  const std::vector<uint8_t> short_png = {0x89, 'P', 'N', 'G'};
  EXPECT_EQ(sniff_format(short_png.data(), short_png.size()), ImageFormat::kUnknown);
  EXPECT_EQ(sniff_format(nullptr, 0), ImageFormat::kUnknown);
}

TEST(ImageFormat, ExtensionIsOnlyForOutputNames) {
  EXPECT_EQ(format_from_extension("a/b/photo.JPG"), ImageFormat::kJpeg);
  EXPECT_EQ(format_from_extension("photo.jpeg"), ImageFormat::kJpeg);
  EXPECT_EQ(format_from_extension("x.Png"), ImageFormat::kPng);
  EXPECT_EQ(format_from_extension("x.webp"), ImageFormat::kWebp);
  EXPECT_EQ(format_from_extension("x.gif"), ImageFormat::kUnknown);
  EXPECT_EQ(format_from_extension("x.png.bak"), ImageFormat::kUnknown);
  EXPECT_EQ(format_from_extension("dir.png/file"), ImageFormat::kUnknown);
  EXPECT_EQ(format_from_extension("noext"), ImageFormat::kUnknown);
}

TEST(ImageFormat, UnknownFormatNamesFirstBytes) {
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0x02, 0x03};
  Result<Image> img = decode_image(bytes.data(), bytes.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(img.status().message(),
            "unknown image format (expected JPEG, PNG or WebP; first bytes 00 01 02 03)");
}

TEST(ImageFormat, CommonOtherFormatsAreNamed) {
  for (const auto& [magic, name] :
       std::vector<std::pair<std::string, std::string>>{{"GIF89a\x01\0\x01\0", "GIF"},
                                                        {"BM\x36\0\0\0", "BMP"},
                                                        {std::string("II*\0\x08\0\0\0", 8), "TIFF"},
                                                        {std::string("\0\0\0\x1C"
                                                                     "ftypavif",
                                                                     12),
                                                         "AVIF"},
                                                        {std::string("\0\0\0\x18"
                                                                     "ftypheic",
                                                                     12),
                                                         "HEIF/HEIC"}}) {
    const std::vector<uint8_t> bytes = bytes_of(magic);
    Result<ImageInfo> info = probe_image(bytes.data(), bytes.size());
    ASSERT_FALSE(info.is_ok()) << name;
    EXPECT_EQ(info.status().code(), StatusCode::kUnimplemented) << name;
    EXPECT_EQ(info.status().message(),
              name + " images are not supported (expected JPEG, PNG or WebP)");
  }
}

TEST(ImageFormat, EmptyInputIsDataLoss) {
  Result<Image> img = decode_image(nullptr, 0, {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
}

TEST(ImageFormat, ProbeReportsHeaderFacts) {
  const Image img = image_test::make_gradient(21, 13, true);
  const std::vector<uint8_t> png = encode_image(img, {ImageFormat::kPng}).value();
  Result<ImageInfo> info = probe_image(png.data(), png.size());
  ASSERT_TRUE(info.is_ok());
  EXPECT_EQ(info->format, ImageFormat::kPng);
  EXPECT_EQ(info->width, 21);
  EXPECT_EQ(info->height, 13);
  EXPECT_EQ(info->channels, 4);
  EXPECT_EQ(info->bit_depth, 8);
  EXPECT_TRUE(info->has_alpha);
  EXPECT_EQ(info->exif_orientation, 1);

  const std::vector<uint8_t> jpeg = encode_image(img, {ImageFormat::kJpeg, 80}).value();
  info = probe_image(jpeg.data(), jpeg.size());
  ASSERT_TRUE(info.is_ok());
  EXPECT_EQ(info->format, ImageFormat::kJpeg);
  EXPECT_EQ(info->channels, 3);
  EXPECT_FALSE(info->has_alpha);
}

TEST(ImageFormat, NonPositiveLimitIsInvalidArgument) {
  const std::vector<uint8_t> png =
      encode_image(image_test::make_gradient(4, 4, false), {ImageFormat::kPng}).value();
  DecodeOptions opts;
  opts.max_pixels = 0;
  EXPECT_EQ(decode_image(png.data(), png.size(), opts).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ImageFormat, EncodeRejectsInconsistentImages) {
  Image img = image_test::make_gradient(4, 4, false);
  img.rgb.pop_back();
  EXPECT_EQ(encode_image(img, {ImageFormat::kPng}).status().code(), StatusCode::kInvalidArgument);
  img = image_test::make_gradient(4, 4, true);
  img.alpha.resize(3);
  EXPECT_EQ(encode_image(img, {ImageFormat::kPng}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encode_image(Image{}, {ImageFormat::kPng}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      encode_image(image_test::make_gradient(4, 4, false), {ImageFormat::kUnknown}).status().code(),
      StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace toonbox
