// The inpainting pipeline's strategies for large images (crop, resize, original) and its
// promise that every pixel outside the mask is the input's, bit for bit.
#include <gtest/gtest.h>

#include <chrono>

#include "inpaint_test_util.h"
#include "pipeline/inpaint/inpaint_pipeline.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;

namespace toonbox {
namespace {

InpaintPipeline telea() {
  InpaintModel m;
  m.name = "telea";
  m.classical = true;
  m.method = ClassicalMethod::kTelea;
  return InpaintPipeline(std::move(m), nullptr, Precision::kFloat32);
}

void expect_outside_exact(const Image& out, const Image& in, const InpaintMask& mask) {
  ASSERT_EQ(out.rgb.size(), in.rgb.size());
  for (size_t i = 0; i < mask.hole.size(); ++i) {
    if (mask.hole[i]) continue;
    for (int c = 0; c < 3; ++c) ASSERT_EQ(out.rgb[i * 3 + c], in.rgb[i * 3 + c]) << "pixel " << i;
  }
}

TEST(InpaintPipeline, CropMatchesTheWholeImageAndCostsItsBoxes) {
  const Image photo = test::inpaint_test_photo(1200, 900);
  InpaintMask mask = test::empty_mask(1200, 900);
  test::add_rect(&mask, 100, 100, 140, 120);
  test::add_disc(&mask, 1000, 700, 15);
  InpaintPipeline p = telea();
  InpaintOptions crop, whole;
  whole.strategy = InpaintStrategy::kOriginal;
  InpaintReport rc, rw;
  auto a = p.inpaint(photo, mask, crop, &rc);
  auto b = p.inpaint(photo, mask, whole, &rw);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  // A local method sees nothing beyond its radius: a box with a 128 px margin gives the
  // whole image's result, pasted at the right place.
  EXPECT_EQ(a->rgb, b->rgb);
  EXPECT_EQ(rc.regions, 2);
  EXPECT_EQ(rc.strategy_used, "crop (2 boxes)");
  // Each region's box grown by 128 and clamped to the image: 268x248 and 287x287.
  EXPECT_EQ(rc.processed_pixels, 268 * 248 + 287 * 287);
  EXPECT_EQ(rw.processed_pixels, 1200 * 900);
  expect_outside_exact(*a, photo, mask);
  EXPECT_NE(a->rgb, photo.rgb);
}

TEST(InpaintPipeline, SmallImagesRunWholeUnderCrop) {
  const Image photo = test::inpaint_test_photo(300, 200);
  InpaintMask mask = test::empty_mask(300, 200);
  test::add_rect(&mask, 10, 10, 20, 20);
  InpaintPipeline p = telea();
  InpaintReport r;
  ASSERT_TRUE(p.inpaint(photo, mask, {}, &r).is_ok());
  EXPECT_EQ(r.strategy_used, "whole image");
  EXPECT_EQ(r.processed_pixels, 300 * 200);
}

TEST(InpaintPipeline, ResizeRunsSmallAndKeepsKnownPixels) {
  const Image photo = test::inpaint_test_photo(2000, 1000);
  InpaintMask mask = test::empty_mask(2000, 1000);
  test::add_rect(&mask, 500, 400, 503, 700);  // 3 px wide: must not vanish when scaled down
  InpaintPipeline p = telea();
  InpaintOptions o;
  o.strategy = InpaintStrategy::kResize;
  InpaintReport r;
  auto out = p.inpaint(photo, mask, o, &r);
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(r.processed_pixels, 1280 * 640);
  expect_outside_exact(*out, photo, mask);
  // The stroke was filled (the photo had no white there, and a fill is near the photo).
  Image damaged = photo;
  for (size_t i = 0; i < mask.hole.size(); ++i)
    if (mask.hole[i]) damaged.rgb[i * 3] = 255;
  auto filled = p.inpaint(damaged, mask, o, &r);
  ASSERT_TRUE(filled.is_ok());
  for (size_t i = 0; i < mask.hole.size(); ++i) {
    if (!mask.hole[i]) continue;
    ASSERT_LT(std::abs(int(filled->rgb[i * 3]) - int(photo.rgb[i * 3])), 20) << i;
  }
}

TEST(InpaintPipeline, EmptyMaskIsNothingToDoAndAlphaPassesThrough) {
  Image photo = test::inpaint_test_photo(50, 40);
  photo.alpha.assign(50 * 40, 200);
  InpaintPipeline p = telea();
  InpaintReport r;
  auto same = p.inpaint(photo, test::empty_mask(50, 40), {}, &r);
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(r.strategy_used, "nothing to do");
  EXPECT_EQ(same->rgb, photo.rgb);
  InpaintMask mask = test::empty_mask(50, 40);
  test::add_rect(&mask, 5, 5, 9, 9);
  auto out = p.inpaint(photo, mask, {}, &r);
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(out->alpha, photo.alpha);
  EXPECT_FALSE(p.inpaint(photo, test::empty_mask(49, 40), {}, &r).is_ok());
}

// A 6000x4000 photo with a small watermark: the crop strategy costs what its box costs,
// not what the photo costs.
TEST(InpaintPipeline, LargePhotoSmallMaskCostsItsBox) {
  const Image photo = test::inpaint_test_photo(6000, 4000);
  InpaintMask mask = test::empty_mask(6000, 4000);
  test::add_rect(&mask, 5400, 3700, 5640, 3760);  // a 240x60 watermark
  InpaintPipeline p = telea();
  InpaintReport big;
  const auto t0 = std::chrono::steady_clock::now();
  auto out = p.inpaint(photo, mask, {}, &big);
  const double big_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(big.processed_pixels, (240 + 256) * (60 + 256));
  // The same watermark on a 512x512 photo.
  const Image small = test::inpaint_test_photo(512, 512);
  InpaintMask small_mask = test::empty_mask(512, 512);
  test::add_rect(&small_mask, 100, 200, 340, 260);
  InpaintReport r;
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(p.inpaint(small, small_mask, {}, &r).is_ok());
  const double small_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  std::printf("6000x4000 with a 240x60 mask: %.1f ms in all, %.1f ms filling; 512x512 with the same mask: %.1f ms "
              "in all, %.1f ms filling\n", big_ms, big.method_ms, small_ms, r.method_ms);
  expect_outside_exact(*out, photo, mask);
}

}  // namespace
}  // namespace toonbox
