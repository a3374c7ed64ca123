// The resolution a model runs at (pipeline/processing_size.h) and what the pipeline does
// with it: the authors' rule by default, the output size when it is smaller (so a small
// result costs less), the input's size with `full`, an explicit short side as given.
#include <gtest/gtest.h>

#include "engine/device_select.h"
#include "pipeline/builtin_style.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/model_loader.h"
#include "pipeline/processing_size.h"
#include "unit/portrait_test_util.h"
#include "unit/instrumented_backend.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;

namespace toonbox {
namespace {

ProcessingRule whitebox_rule() {
  ProcessingRule r;
  r.max_short_side = 720;
  return r;
}

TEST(ProcessingSize, TheAuthorsCapOnTheShortSide) {
  // White-box's resize_crop: the short side at most 720, the other in proportion.
  ProcessingSize p = processing_size(1440, 2560, whitebox_rule(), 0, 1440, 2560);
  EXPECT_EQ(p.width, 720);
  EXPECT_EQ(p.height, 1280);
  EXPECT_DOUBLE_EQ(p.scale, 0.5);
  EXPECT_NE(p.why.find("720"), std::string::npos) << p.why;
  // At or under the cap: untouched, and nothing to say.
  p = processing_size(720, 1000, whitebox_rule(), 0, 720, 1000);
  EXPECT_FALSE(p.resized());
  EXPECT_TRUE(p.why.empty());
}

TEST(ProcessingSize, ASmallerOutputIsProcessedSmaller) {
  // --long-side 256 on a 600x800 photo: processed at the output's 192x256, not 600x800.
  ProcessingSize p = processing_size(600, 800, whitebox_rule(), 0, 192, 256);
  EXPECT_EQ(p.width, 192);
  EXPECT_EQ(p.height, 256);
  EXPECT_NE(p.why.find("output size"), std::string::npos) << p.why;
  // A larger output is not a reason to process larger.
  p = processing_size(600, 800, whitebox_rule(), 0, 1200, 1600);
  EXPECT_FALSE(p.resized());
}

TEST(ProcessingSize, FullAndExplicitResolutions) {
  ProcessingSize p = processing_size(1440, 2560, whitebox_rule(), kFullResolution, 1440, 2560);
  EXPECT_FALSE(p.resized()) << "full keeps the input's size";
  p = processing_size(1440, 2560, whitebox_rule(), kFullResolution, 720, 1280);
  EXPECT_EQ(p.width, 720) << "full still never computes more than the output keeps";
  p = processing_size(1440, 2560, whitebox_rule(), 360, 1440, 2560);
  EXPECT_EQ(p.width, 360);
  EXPECT_EQ(p.height, 640);
  p = processing_size(300, 400, whitebox_rule(), 600, 300, 400);
  EXPECT_EQ(p.width, 600) << "an explicit resolution may scale up";
}

TEST(ProcessingSize, TheAuthorsMinimum) {
  ProcessingRule r;
  r.min_side = 256;  // AnimeGANv3's test code
  ProcessingSize p = processing_size(100, 200, r, 0, 100, 200);
  EXPECT_EQ(p.width, 256);
  EXPECT_EQ(p.height, 512);
  // Even for a small output: the model is not run below its minimum.
  p = processing_size(400, 400, r, 0, 64, 64);
  EXPECT_EQ(p.width, 256);
}

TEST(ProcessingSize, ParseResolution) {
  EXPECT_EQ(*parse_resolution("auto"), 0);
  EXPECT_EQ(*parse_resolution("full"), kFullResolution);
  EXPECT_EQ(*parse_resolution("512"), 512);
  for (const char* bad : {"0", "16", "99999", "12x", "", "-1"}) {
    auto r = parse_resolution(bad);
    EXPECT_FALSE(r.is_ok()) << bad;
  }
}

// The built-in style given White-box's rule scaled down to test sizes (short side at most
// 48): the pipeline processes at the rule's size, scales the result back, and a smaller
// --long-side makes the device call smaller.
class ProcessingPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = std::make_shared<test::InstrumentedBackend>(
        std::shared_ptr<Backend>(select_device("cpu", "fp32")->backend));
    ModelSource m = load_model_source(kBuiltinStyleName, nullptr).value();
    m.contract.processing.max_short_side = 48;
    DeviceSelection d = select_device("cpu", "fp32").value();
    d.backend = backend_;
    CartoonModels models;
    models.background = models.head = std::make_shared<ModelRunner>(std::move(m), d);
    pipeline_ = std::make_unique<CartoonPipeline>(std::move(models));
  }
  // The input shape of the last device call (N,H,W,C).
  Shape last_shape() const { return backend_->last_run_shape(); }

  std::shared_ptr<test::InstrumentedBackend> backend_;
  std::unique_ptr<CartoonPipeline> pipeline_;
};

TEST_F(ProcessingPipeline, RunsAtTheRulesSizeAndReturnsTheInputsSize) {
  const Image input = portrait_test::make_scene(128, 96);
  CartoonOptions o;
  o.mode = CartoonMode::kWhole;
  CartoonReport report;
  auto out = pipeline_->process(input, o, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(out->width, 128);
  EXPECT_EQ(out->height, 96);
  EXPECT_EQ(report.process_width, 64);
  EXPECT_EQ(report.process_height, 48);
  ASSERT_FALSE(report.notes.empty());
  EXPECT_NE(report.notes[0].find("short side at 48"), std::string::npos) << report.notes[0];
  // The built-in style has a margin of 8 on each side.
  EXPECT_EQ(last_shape(), (Shape{1, 48 + 16, 64 + 16, 3}));

  o.resolution = kFullResolution;
  ASSERT_TRUE(pipeline_->process(input, o, &report).is_ok());
  EXPECT_EQ(report.process_width, 128);
  EXPECT_EQ(last_shape(), (Shape{1, 96 + 16, 128 + 16, 3}));
}

TEST_F(ProcessingPipeline, ASmallLongSideMakesTheRunSmaller) {
  const Image input = portrait_test::make_scene(128, 96);
  CartoonOptions o;
  o.mode = CartoonMode::kWhole;
  o.long_side = 32;
  CartoonReport report;
  auto out = pipeline_->process(input, o, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(out->width, 32);
  EXPECT_EQ(out->height, 24);
  EXPECT_EQ(report.process_width, 32);
  EXPECT_EQ(last_shape(), (Shape{1, 24 + 16, 32 + 16, 3}));
}

TEST_F(ProcessingPipeline, AlphaIsScaledToTheOutput) {
  const Image input = portrait_test::make_scene(128, 96, /*with_alpha=*/true);
  CartoonOptions o;
  o.mode = CartoonMode::kWhole;
  auto same = pipeline_->process(input, o);
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(same->alpha, input.alpha) << "processed smaller, but the output keeps the input's alpha";
  o.long_side = 64;
  auto half = pipeline_->process(input, o);
  ASSERT_TRUE(half.is_ok());
  EXPECT_EQ(half->alpha.size(), static_cast<size_t>(64 * 48));
}

}  // namespace
}  // namespace toonbox
