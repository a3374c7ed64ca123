// The inpainting mask: how files and alpha become holes, size checks, dilation, regions.
#include <gtest/gtest.h>

#include <random>

#include "inpaint_test_util.h"
#include "pipeline/inpaint/inpaint_mask.h"
#include "pipeline/inpaint/inpaint_pipeline.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;

namespace toonbox {
namespace {

Image grey_row(std::initializer_list<uint8_t> values) {
  Image img;
  img.width = static_cast<int>(values.size());
  img.height = 1;
  for (uint8_t v : values) img.rgb.insert(img.rgb.end(), {v, v, v});
  return img;
}

TEST(InpaintMask, WhiteFrom128IsAHole) {
  const InpaintMask m = mask_from_image(grey_row({0, 127, 128, 255}));
  EXPECT_EQ(m.hole, (std::vector<uint8_t>{0, 0, 1, 1}));
  // Colour by OpenCV's grey: pure green (150) is a hole, pure blue (0.114*255=29) is not.
  Image colour;
  colour.width = 2;
  colour.height = 1;
  colour.rgb = {0, 255, 0, 0, 0, 255};
  EXPECT_EQ(mask_from_image(colour).hole, (std::vector<uint8_t>{1, 0}));
}

TEST(InpaintMask, AlphaTransparentIsAHole) {
  Image img = grey_row({10, 10, 10});
  EXPECT_FALSE(mask_from_alpha(img, "photo.jpg").is_ok());
  img.alpha = {0, 127, 128};
  auto m = mask_from_alpha(img, "photo.png");
  ASSERT_TRUE(m.is_ok());
  EXPECT_EQ(m->hole, (std::vector<uint8_t>{1, 1, 0}));
}

TEST(InpaintMask, OtherSizeRefusedNamingBothOrResizedNearest) {
  InpaintMask m = test::empty_mask(4, 2);
  m.hole[1] = 1;  // (1, 0)
  auto refused = fit_mask_to_image(m, 8, 4, false, "m.png", "p.jpg");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("4x2"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("8x4"), std::string::npos);
  EXPECT_NE(refused.status().message().find("--resize-mask"), std::string::npos);
  auto resized = fit_mask_to_image(m, 8, 4, true, "m.png", "p.jpg");
  ASSERT_TRUE(resized.is_ok());
  EXPECT_EQ(resized->count(), 4);  // (1,0) became the 2x2 block at (2..3, 0..1)
  EXPECT_TRUE(resized->at(2, 0) && resized->at(3, 1) && !resized->at(1, 0) && !resized->at(4, 0));
}

TEST(InpaintMask, DilationIsAEuclideanDisc) {
  InpaintMask one = test::empty_mask(9, 9);
  one.hole[4 * 9 + 4] = 1;
  EXPECT_EQ(dilate_mask(one, 2).count(), 13);  // 5 + 2*3 + 2*1
  // Random holes against brute force.
  std::mt19937 rng(3);
  InpaintMask m = test::empty_mask(60, 40);
  for (int k = 0; k < 12; ++k) m.hole[rng() % m.hole.size()] = 1;
  for (int r : {1, 3, 7}) {
    const InpaintMask d = dilate_mask(m, r);
    for (int y = 0; y < m.height; ++y)
      for (int x = 0; x < m.width; ++x) {
        bool near = false;
        for (int yy = 0; yy < m.height && !near; ++yy)
          for (int xx = 0; xx < m.width && !near; ++xx)
            near = m.at(xx, yy) && (xx - x) * (xx - x) + (yy - y) * (yy - y) <= r * r;
        ASSERT_EQ(d.at(x, y), near) << "r " << r << " at " << x << "," << y;
      }
  }
  EXPECT_EQ(dilate_mask(test::empty_mask(5, 5), 3).count(), 0);
}

TEST(InpaintMask, RegionsAreEightConnectedAndCropBoxesMerge) {
  InpaintMask m = test::empty_mask(100, 50);
  test::add_rect(&m, 10, 10, 13, 13);
  m.hole[13 * 100 + 13] = 1;  // diagonal neighbour: same region
  test::add_rect(&m, 60, 30, 70, 35);
  test::add_rect(&m, 90, 2, 92, 4);
  const auto boxes = hole_region_boxes(m);
  ASSERT_EQ(boxes.size(), 3u);  // in raster order of their first pixel
  EXPECT_EQ(boxes[0].x0, 90);
  EXPECT_EQ(boxes[1].x0, 10);
  EXPECT_EQ(boxes[1].x1, 14);
  EXPECT_EQ(boxes[1].y1, 14);
  // A margin of 5 keeps three boxes; 20 makes the last two overlap (merged).
  EXPECT_EQ(crop_boxes(m, 5).size(), 3u);
  const auto merged = crop_boxes(m, 20);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[1].x1, 100);
  EXPECT_EQ(merged[1].y0, 0);
}

TEST(InpaintMask, MaskForImageAppliesEveryStep) {
  Image photo = test::inpaint_test_photo(20, 10);
  InpaintMask m = test::empty_mask(10, 5);
  m.hole[2 * 10 + 5] = 1;
  const Image small = test::mask_image(m);
  EXPECT_FALSE(mask_for_image(photo, &small, false, 0, "m.png", "p.png").is_ok());
  auto fitted = mask_for_image(photo, &small, true, 1, "m.png", "p.png");
  ASSERT_TRUE(fitted.is_ok());
  EXPECT_EQ(fitted->count(), 12);  // a 2x2 block grown by 1: 4 + 8 edge neighbours
  EXPECT_FALSE(mask_for_image(photo, nullptr, false, 0, "m.png", "p.png").is_ok());  // no alpha
  EXPECT_FALSE(mask_for_image(photo, &small, true, kMaxDilate + 1, "m.png", "p.png").is_ok());
}

}  // namespace
}  // namespace toonbox
