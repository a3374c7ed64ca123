#include <gtest/gtest.h>

#include "image/image.h"
#include "image/image_io.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

TEST(ImageWebp, LosslessRoundTripIsExactWithAlpha) {
  Image src = image_test::make_gradient(41, 29, true);
  src.alpha[0] = 0;  // RGB under a fully transparent pixel must survive too
  Result<std::vector<uint8_t>> webp = encode_image(src, {ImageFormat::kWebp, 100});
  ASSERT_TRUE(webp.is_ok()) << webp.status().to_string();
  EXPECT_EQ(sniff_format(webp->data(), webp->size()), ImageFormat::kWebp);
  Result<Image> back = decode_image(webp->data(), webp->size(), {});
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_TRUE(back->has_alpha());
  EXPECT_EQ(back->width, 41);
  EXPECT_EQ(back->height, 29);
  EXPECT_EQ(back->rgb, src.rgb);
  EXPECT_EQ(back->alpha, src.alpha);
}

TEST(ImageWebp, LosslessRoundTripWithoutAlpha) {
  const Image src = image_test::make_gradient(20, 10, false);
  const std::vector<uint8_t> webp = encode_image(src, {ImageFormat::kWebp, 100}).value();
  Result<Image> back = decode_image(webp.data(), webp.size(), {});
  ASSERT_TRUE(back.is_ok());
  EXPECT_FALSE(back->has_alpha());
  EXPECT_EQ(back->rgb, src.rgb);
}

TEST(ImageWebp, LossyRoundTripWithinPsnrBound) {
  const Image src = image_test::make_gradient(64, 64, false);
  const std::vector<uint8_t> webp = encode_image(src, {ImageFormat::kWebp, 90}).value();
  Result<ImageInfo> info = probe_image(webp.data(), webp.size());
  ASSERT_TRUE(info.is_ok());
  EXPECT_FALSE(info->has_alpha);
  EXPECT_EQ(info->channels, 3);
  Result<Image> back = decode_image(webp.data(), webp.size(), {});
  ASSERT_TRUE(back.is_ok());
  EXPECT_FALSE(back->has_alpha());
  EXPECT_GT(image_test::psnr(src.rgb, back->rgb), 32.0);
}

TEST(ImageWebp, LossyKeepsAlpha) {
  const Image src = image_test::make_gradient(32, 32, true);
  const std::vector<uint8_t> webp = encode_image(src, {ImageFormat::kWebp, 80}).value();
  Result<Image> back = decode_image(webp.data(), webp.size(), {});
  ASSERT_TRUE(back.is_ok());
  ASSERT_TRUE(back->has_alpha());
  // Alpha is coded losslessly even in lossy mode.
  EXPECT_EQ(back->alpha, src.alpha);
}

TEST(ImageWebp, TruncatedIsDataLoss) {
  const Image src = image_test::make_gradient(64, 64, false);
  for (int quality : {100, 80}) {
    const std::vector<uint8_t> webp = encode_image(src, {ImageFormat::kWebp, quality}).value();
    for (size_t keep : {size_t{12}, size_t{24}, webp.size() / 2, webp.size() - 1}) {
      Result<Image> img = decode_image(webp.data(), keep, {});
      ASSERT_FALSE(img.is_ok()) << "q" << quality << " kept " << keep << " of " << webp.size();
      EXPECT_EQ(img.status().code(), StatusCode::kDataLoss);
      EXPECT_EQ(img.status().message(), "truncated WebP data (premature end of file)");
    }
  }
}

TEST(ImageWebp, EveryTruncationFails) {
  for (int quality : {100, 70}) {
    const std::vector<uint8_t> webp =
        encode_image(image_test::make_gradient(24, 16, true), {ImageFormat::kWebp, quality})
            .value();
    for (size_t keep = 12; keep < webp.size(); ++keep) {
      Result<Image> img = decode_image(webp.data(), keep, {});
      ASSERT_FALSE(img.is_ok()) << "q" << quality << " kept " << keep << " of " << webp.size();
      ASSERT_EQ(img.status().code(), StatusCode::kDataLoss) << img.status().message();
    }
  }
}

TEST(ImageWebp, AnimatedIsRefusedClearly) {
  const Image src = image_test::make_gradient(8, 8, false);
  const std::vector<uint8_t> simple = encode_image(src, {ImageFormat::kWebp, 100}).value();
  const std::vector<uint8_t> animated = image_test::animated_webp(simple, 8, 8);
  Result<Image> img = decode_image(animated.data(), animated.size(), {});
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(img.status().message().find("animated WebP is not supported"), std::string::npos)
      << img.status().message();
  EXPECT_FALSE(probe_image(animated.data(), animated.size()).is_ok());
}

TEST(ImageWebp, PixelLimitCheckedFromHeader) {
  const Image src = image_test::make_gradient(30, 20, true);
  const std::vector<uint8_t> webp = encode_image(src, {ImageFormat::kWebp, 75}).value();
  DecodeOptions opts;
  opts.max_pixels = 599;
  Result<Image> img = decode_image(webp.data(), webp.size(), opts);
  ASSERT_FALSE(img.is_ok());
  EXPECT_EQ(img.status().code(), StatusCode::kResourceExhausted);
  opts.max_pixels = 600;
  EXPECT_TRUE(decode_image(webp.data(), webp.size(), opts).is_ok());
}

TEST(ImageWebp, TooLargeForWebpIsInvalidArgument) {
  const Image src = image_test::make_solid(16384, 1, 0, 0, 0);
  Result<std::vector<uint8_t>> webp = encode_image(src, {ImageFormat::kWebp, 80});
  ASSERT_FALSE(webp.is_ok());
  EXPECT_EQ(webp.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(webp.status().message().find("16383"), std::string::npos);
}

}  // namespace
}  // namespace toonbox
