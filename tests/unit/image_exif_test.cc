#include <gtest/gtest.h>

#include <random>

#include "image/exif.h"
#include "image/image.h"
#include "image/image_io.h"
#include "image/orientation.h"
#include "image_test_util.h"

using namespace toonbox::image;

namespace toonbox {
namespace {

TEST(ImageExif, ParsesBothByteOrders) {
  for (int o = 1; o <= 8; ++o) {
    for (bool big_endian : {false, true}) {
      const std::vector<uint8_t> tiff = image_test::exif_tiff(o, big_endian);
      EXPECT_EQ(exif_orientation_from_tiff(tiff.data(), tiff.size()), o)
          << (big_endian ? "MM " : "II ") << o;
    }
  }
}

TEST(ImageExif, App1NeedsExifHeader) {
  std::vector<uint8_t> app1 = {'E', 'x', 'i', 'f', 0, 0};
  const std::vector<uint8_t> tiff = image_test::exif_tiff(6, true);
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  EXPECT_EQ(exif_orientation_from_app1(app1.data(), app1.size()), 6);
  const std::string xmp = "http://ns.adobe.com/xap/1.0/";
  EXPECT_EQ(exif_orientation_from_app1(reinterpret_cast<const uint8_t*>(xmp.data()), xmp.size()),
            1);
}

TEST(ImageExif, MalformedBlocksGiveOne) {
  std::vector<uint8_t> tiff = image_test::exif_tiff(6, false);
  // Out-of-range value.
  std::vector<uint8_t> bad = tiff;
  bad[30] = 9;
  EXPECT_EQ(exif_orientation_from_tiff(bad.data(), bad.size()), 1);
  // IFD offset past the end.
  bad = tiff;
  bad[4] = 0xF0;
  bad[7] = 0x7F;
  EXPECT_EQ(exif_orientation_from_tiff(bad.data(), bad.size()), 1);
  // Entry count larger than the data: entries that are in bounds are still read, the walk
  // stops at the end of the data.
  bad = tiff;
  bad[8] = 0xFF;
  bad[9] = 0xFF;
  EXPECT_EQ(exif_orientation_from_tiff(bad.data(), bad.size()), 6);
  bad[22] = 0x13;  // no orientation entry: walks to the end and stops
  EXPECT_EQ(exif_orientation_from_tiff(bad.data(), bad.size()), 1);
  // Wrong magic.
  bad = tiff;
  bad[2] = 43;
  EXPECT_EQ(exif_orientation_from_tiff(bad.data(), bad.size()), 1);
  // Wrong type (ASCII).
  bad = tiff;
  bad[24] = 2;
  EXPECT_EQ(exif_orientation_from_tiff(bad.data(), bad.size()), 1);
  EXPECT_EQ(exif_orientation_from_tiff(nullptr, 0), 1);
  // Every prefix: no crash (ASan builds catch over-reads), and no tag until it is complete.
  for (size_t n = 0; n < tiff.size(); ++n) {
    const std::vector<uint8_t> prefix(tiff.begin(), tiff.begin() + n);
    const int o = exif_orientation_from_tiff(prefix.data(), prefix.size());
    EXPECT_EQ(o, n >= 34 ? 6 : 1) << n;  // the entry ends at byte 34
  }
}

TEST(ImageExif, RandomBytesNeverCrash) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bytes = image_test::exif_tiff(3, i % 2 == 0);
    for (int k = 0; k < 4; ++k) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    const int o = exif_orientation_from_tiff(bytes.data(), bytes.size());
    EXPECT_GE(o, 1);
    EXPECT_LE(o, 8);
  }
}

// 3x2 image, pixel value = index; checks the transform exactly, alpha included.
TEST(ImageExif, ApplyOrientationMovesEveryPixel) {
  //  stored:  0 1 2
  //           3 4 5
  const std::vector<std::vector<int>> expected = {
      {},
      {0, 1, 2, 3, 4, 5},  // 1: as stored (3x2)
      {2, 1, 0, 5, 4, 3},  // 2: mirror left-right
      {5, 4, 3, 2, 1, 0},  // 3: rotate 180
      {3, 4, 5, 0, 1, 2},  // 4: mirror top-bottom
      {0, 3, 1, 4, 2, 5},  // 5: transpose (2x3)
      {3, 0, 4, 1, 5, 2},  // 6: rotate 90 clockwise
      {5, 2, 4, 1, 3, 0},  // 7: transverse
      {2, 5, 1, 4, 0, 3},  // 8: rotate 90 counter-clockwise
  };
  for (int o = 1; o <= 8; ++o) {
    Image img;
    img.width = 3;
    img.height = 2;
    for (int i = 0; i < 6; ++i) {
      img.rgb.insert(img.rgb.end(), {static_cast<uint8_t>(i), static_cast<uint8_t>(10 + i),
                                     static_cast<uint8_t>(20 + i)});
      img.alpha.push_back(static_cast<uint8_t>(100 + i));
    }
    apply_exif_orientation(&img, o);
    EXPECT_EQ(img.width, o >= 5 ? 2 : 3) << o;
    EXPECT_EQ(img.height, o >= 5 ? 3 : 2) << o;
    for (int i = 0; i < 6; ++i) {
      const int src = expected[o][i];
      EXPECT_EQ(img.rgb[i * 3 + 0], src) << "orientation " << o << " pixel " << i;
      EXPECT_EQ(img.rgb[i * 3 + 1], 10 + src) << "orientation " << o << " pixel " << i;
      EXPECT_EQ(img.rgb[i * 3 + 2], 20 + src) << "orientation " << o << " pixel " << i;
      EXPECT_EQ(img.alpha[i], 100 + src) << "orientation " << o << " pixel " << i;
    }
  }
}

enum Corner { kTL, kTR, kBL, kBR };
constexpr uint8_t kCornerColour[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};

// 32x16 image of four flat 16x8 quadrants (whole JPEG blocks, so colours stay clean).
Image quadrants() {
  Image img;
  img.width = 32;
  img.height = 16;
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 32; ++x) {
      const int q = (y < 8 ? 0 : 2) + (x < 16 ? 0 : 1);
      img.rgb.insert(img.rgb.end(), kCornerColour[q], kCornerColour[q] + 3);
    }
  }
  return img;
}

Corner corner_colour(const Image& img, int x, int y) {
  const uint8_t* p = img.rgb.data() + (static_cast<size_t>(y) * img.width + x) * 3;
  int best = 0, best_distance = 1 << 30;
  for (int c = 0; c < 4; ++c) {
    int d = 0;
    for (int k = 0; k < 3; ++k) d += (p[k] - kCornerColour[c][k]) * (p[k] - kCornerColour[c][k]);
    if (d < best_distance) best_distance = d, best = c;
  }
  return static_cast<Corner>(best);
}

// Where each stored quadrant is displayed, straight from the EXIF 2.3 definitions:
// {display TL, TR, BL, BR} as stored quadrants.
constexpr Corner kDisplayed[9][4] = {
    {},
    {kTL, kTR, kBL, kBR},  // 1
    {kTR, kTL, kBR, kBL},  // 2 mirror horizontal
    {kBR, kBL, kTR, kTL},  // 3 rotate 180
    {kBL, kBR, kTL, kTR},  // 4 mirror vertical
    {kTL, kBL, kTR, kBR},  // 5 transpose
    {kBL, kTL, kBR, kTR},  // 6 rotate 90 CW
    {kBR, kTR, kBL, kTL},  // 7 transverse
    {kTR, kBR, kTL, kBL},  // 8 rotate 90 CCW
};

void check_displayed(const Image& img, int orientation) {
  const bool swapped = orientation >= 5;
  ASSERT_EQ(img.width, swapped ? 16 : 32) << "orientation " << orientation;
  ASSERT_EQ(img.height, swapped ? 32 : 16) << "orientation " << orientation;
  const int w = img.width, h = img.height;
  EXPECT_EQ(corner_colour(img, 2, 2), kDisplayed[orientation][0]) << "TL, " << orientation;
  EXPECT_EQ(corner_colour(img, w - 3, 2), kDisplayed[orientation][1]) << "TR, " << orientation;
  EXPECT_EQ(corner_colour(img, 2, h - 3), kDisplayed[orientation][2]) << "BL, " << orientation;
  EXPECT_EQ(corner_colour(img, w - 3, h - 3), kDisplayed[orientation][3]) << "BR, " << orientation;
}

TEST(ImageExif, JpegAllEightOrientations) {
  const std::vector<uint8_t> jpeg = encode_image(quadrants(), {ImageFormat::kJpeg, 95}).value();
  for (int o = 1; o <= 8; ++o) {
    const std::vector<uint8_t> tagged =
        image_test::with_exif_app1(jpeg, image_test::exif_tiff(o, /*big_endian=*/o % 2 == 0));
    Result<ImageInfo> info = probe_image(tagged.data(), tagged.size());
    ASSERT_TRUE(info.is_ok()) << info.status().to_string();
    EXPECT_EQ(info->exif_orientation, o);
    EXPECT_EQ(info->width, 32);  // stored size
    Result<Image> img = decode_image(tagged.data(), tagged.size(), {});
    ASSERT_TRUE(img.is_ok()) << img.status().to_string();
    check_displayed(img.value(), o);
  }
}

TEST(ImageExif, OrientationCanBeLeftUnapplied) {
  const std::vector<uint8_t> jpeg = image_test::with_exif_app1(
      encode_image(quadrants(), {ImageFormat::kJpeg, 95}).value(), image_test::exif_tiff(6, false));
  DecodeOptions opts;
  opts.apply_exif_orientation = false;
  Result<Image> img = decode_image(jpeg.data(), jpeg.size(), opts);
  ASSERT_TRUE(img.is_ok());
  check_displayed(img.value(), 1);
}

TEST(ImageExif, PngExifChunk) {
  const Image src = quadrants();
  image_test::RawPng raw = image_test::raw_png(32, 16, 8, 2);
  raw.samples.assign(src.rgb.begin(), src.rgb.end());
  raw.exif = image_test::exif_tiff(8, true);
  const std::vector<uint8_t> png = image_test::build_png(raw);
  Result<ImageInfo> info = probe_image(png.data(), png.size());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->exif_orientation, 8);
  Result<Image> img = decode_image(png.data(), png.size(), {});
  ASSERT_TRUE(img.is_ok()) << img.status().to_string();
  check_displayed(img.value(), 8);
}

TEST(ImageExif, WebpExifChunk) {
  const std::vector<uint8_t> simple = encode_image(quadrants(), {ImageFormat::kWebp, 100}).value();
  const std::vector<uint8_t> webp =
      image_test::webp_with_exif(simple, 32, 16, image_test::exif_tiff(6, false));
  Result<ImageInfo> info = probe_image(webp.data(), webp.size());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->exif_orientation, 6);
  Result<Image> img = decode_image(webp.data(), webp.size(), {});
  ASSERT_TRUE(img.is_ok()) << img.status().to_string();
  check_displayed(img.value(), 6);
}

}  // namespace
}  // namespace toonbox
