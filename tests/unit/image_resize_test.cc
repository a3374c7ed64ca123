#include <gtest/gtest.h>

#include "image/resize.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

Image gray_row(std::vector<uint8_t> values, int width, int height) {
  Image img;
  img.width = width;
  img.height = height;
  for (uint8_t v : values) img.rgb.insert(img.rgb.end(), {v, v, v});
  return img;
}

std::vector<uint8_t> red_channel(const Image& img) {
  std::vector<uint8_t> r;
  for (size_t i = 0; i < img.rgb.size(); i += 3) r.push_back(img.rgb[i]);
  return r;
}

TEST(ImageResize, SameSizeIsACopy) {
  const Image src = image_test::make_gradient(10, 7, true);
  const Image out = resize_image(src, 10, 7);
  EXPECT_EQ(out.rgb, src.rgb);
  EXPECT_EQ(out.alpha, src.alpha);
}

TEST(ImageResize, DownscaleAveragesAreas) {
  // 4x2 -> 2x1: each output pixel is the mean of a 2x2 block.
  const Image src = gray_row({0, 10, 100, 200, 20, 30, 50, 50}, 4, 2);
  const Image out = resize_image(src, 2, 1);
  ASSERT_EQ(out.width, 2);
  ASSERT_EQ(out.height, 1);
  EXPECT_EQ(red_channel(out), (std::vector<uint8_t>{15, 100}));
}

TEST(ImageResize, NonIntegerDownscaleWeighsPartialPixels) {
  // 3 -> 2: out0 = (2*a + b) / 3, out1 = (b + 2*c) / 3.
  const Image out = resize_image(gray_row({0, 90, 180}, 3, 1), 2, 1);
  EXPECT_EQ(red_channel(out), (std::vector<uint8_t>{30, 150}));
}

TEST(ImageResize, UpscaleIsBilinearWithCentredPixels) {
  const Image out = resize_image(gray_row({0, 100}, 2, 1), 4, 1);
  EXPECT_EQ(red_channel(out), (std::vector<uint8_t>{0, 25, 75, 100}));
}

TEST(ImageResize, FlatImageStaysFlat) {
  const Image src = image_test::make_solid(7, 5, 12, 200, 99);
  for (auto [w, h] : {std::pair{3, 11}, std::pair{14, 2}, std::pair{1, 1}, std::pair{50, 40}}) {
    const Image out = resize_image(src, w, h);
    ASSERT_EQ(out.rgb.size(), static_cast<size_t>(w) * h * 3);
    for (size_t i = 0; i < out.rgb.size(); i += 3) {
      ASSERT_EQ(out.rgb[i], 12);
      ASSERT_EQ(out.rgb[i + 1], 200);
      ASSERT_EQ(out.rgb[i + 2], 99);
    }
  }
}

TEST(ImageResize, DownscaleKeepsTheMean) {
  const Image src = image_test::make_gradient(64, 48, false);
  const Image out = resize_image(src, 16, 12);
  double a = 0, b = 0;
  for (uint8_t v : src.rgb) a += v;
  for (uint8_t v : out.rgb) b += v;
  EXPECT_NEAR(a / src.rgb.size(), b / out.rgb.size(), 0.6);
}

TEST(ImageResize, AlphaIsResizedAndColourIsPremultiplied) {
  // Opaque red next to transparent blue: the average is half-transparent red, not purple.
  Image src;
  src.width = 2;
  src.height = 1;
  src.rgb = {255, 0, 0, 0, 0, 255};
  src.alpha = {255, 0};
  const Image out = resize_image(src, 1, 1);
  ASSERT_TRUE(out.has_alpha());
  EXPECT_EQ(out.alpha, std::vector<uint8_t>{128});
  EXPECT_EQ(out.rgb, (std::vector<uint8_t>{255, 0, 0}));

  const Image up = resize_image(src, 4, 3);
  ASSERT_EQ(up.alpha.size(), 12u);
  EXPECT_EQ(up.alpha[0], 255);
  EXPECT_EQ(up.alpha[3], 0);
}

TEST(ImageResize, InvalidRequestsGiveEmptyImage) {
  const Image src = image_test::make_gradient(4, 4, false);
  EXPECT_TRUE(resize_image(src, 0, 4).rgb.empty());
  EXPECT_TRUE(resize_image(src, 4, -1).rgb.empty());
  EXPECT_TRUE(resize_image(Image{}, 4, 4).rgb.empty());
}

// Large images are resized in row bands on several threads; the bytes must not depend on
// how many (every row is computed alone), with and without alpha, up and down, and with
// more bands than rows.
TEST(ImageResize, ThreadCountDoesNotChangeTheResult) {
  for (bool alpha : {false, true}) {
    Image src = image_test::make_gradient(1200, 900, alpha);
    for (size_t i = 0; i < src.rgb.size(); ++i) src.rgb[i] = static_cast<uint8_t>(src.rgb[i] ^ (i * 2654435761u >> 7));
    for (auto [w, h] : {std::pair{720, 540}, std::pair{1601, 1201}, std::pair{1200, 3}}) {
      const Image one = resize_image(src, w, h, 1);
      for (int threads : {2, 3, 8}) {
        const Image many = resize_image(src, w, h, threads);
        EXPECT_EQ(many.rgb, one.rgb) << w << "x" << h << " on " << threads << " threads, alpha " << alpha;
        EXPECT_EQ(many.alpha, one.alpha) << w << "x" << h << " on " << threads << " threads";
      }
      EXPECT_EQ(resize_image(src, w, h).rgb, one.rgb) << "automatic thread count, " << w << "x" << h;
    }
  }
}

}  // namespace
}  // namespace toonbox
