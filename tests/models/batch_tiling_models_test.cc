// Real models in batches and tiles on the CPU backend:
//   * a batch of 3 crops equals the 3 single runs (max abs <= 1e-5, fp32) for White-box
//     (TF.js) and AnimeGANv3 (ONNX); a model that cannot batch must say so at compile,
//     naming the node, and ModelRunner must then fall back to single images;
//   * White-box on a real photo, cut into 256 px tiles, against the whole-image run:
//     PSNR >= 40 dB, and no seam (error at the tile hand-overs not above the rest).
// Skipped, saying why, when a model or photo is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "backend/cpu/cpu_backend.h"
#include "engine/session.h"
#include "models/photo_util.h"
#include "pipeline/model_runner.h"
#include "pipeline/model_loader.h"
#include "pipeline/tiling.h"
#include "unit/batched_exec_test_util.h"
#include "unit/test_util.h"
#include "unit/tiling_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;

namespace toonbox {
namespace {

namespace fs = std::filesystem;
using test::slice_item;
using test::stack;

// [1,side,side,3] crop at (x0,y0) of an NHWC tensor.
Tensor crop(const Tensor& t, int64_t y0, int64_t x0, int64_t side) {
  Tensor out(DType::kFloat32, {1, side, side, 3});
  const int64_t w = t.dim(2);
  for (int64_t y = 0; y < side; ++y)
    std::copy(t.data<float>() + ((y0 + y) * w + x0) * 3, t.data<float>() + ((y0 + y) * w + x0 + side) * 3,
              out.data<float>() + y * side * 3);
  return out;
}

Result<ModelSource> model_or_skip(const fs::path& path, std::string* skip) {
  if (!fs::exists(path)) {
    *skip = "model not found: " + path.string();
    return not_found(*skip);
  }
  std::string note;
  return load_model_source(path.string(), &note);
}

Image to_image(const test::RgbImage& p) {
  Image img;
  img.width = p.width;
  img.height = p.height;
  img.rgb = p.rgb;
  return img;
}

class BatchModels : public ::testing::TestWithParam<std::string> {};

TEST_P(BatchModels, BatchOfThreeEqualsSinglesOrFallsBackNamingTheNode) {
  const fs::path path = GetParam() == "whitebox"
                            ? test::shared_dir() / "models" / "whitebox-cartoon" / "tfjs-float16"
                            : test::shared_dir() / "models" / "animeganv3-tiny-cute" / "AnimeGANv3_tiny_Cute.onnx";
  std::string skip;
  auto model = model_or_skip(path, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  std::vector<Tensor> crops;
  const char* photos[] = {"wb_london1.jpg", "wb_actress2.jpg", "wb_party5.jpg"};
  for (const char* name : photos) {
    const fs::path photo = test::shared_dir() / "images" / name;
    if (!fs::exists(photo)) GTEST_SKIP() << "photo not found: " << photo;
    const Tensor t = test::photo_to_input(test::read_jpeg(photo), 256, 16);
    crops.push_back(crop(t, (t.dim(1) - 128) / 2, (t.dim(2) - 128) / 2, 128));
  }
  const Tensor batch = stack(crops);
  Session session(model->graph, std::shared_ptr<Backend>(cpu::create_cpu_backend()),
                  Precision::kFloat32, SessionOptions{/*allow_batch=*/true});
  RunReport report;
  auto got = session.run({batch}, &report);
  if (!got.is_ok()) {
    // Allowed only as a clean compile-time refusal that names the node.
    EXPECT_EQ(got.status().code(), StatusCode::kUnimplemented) << got.status().to_string();
    EXPECT_NE(got.status().message().find("node '"), std::string::npos) << got.status().to_string();
    std::printf("[ measure  ] %s cannot batch: %s\n", GetParam().c_str(), got.status().message().c_str());
    ModelRunner toon(std::move(model).value(),
                     DeviceSelection{std::shared_ptr<Backend>(cpu::create_cpu_backend()),
                                     Precision::kFloat32, "test", false});
    const Image a = to_image(test::read_jpeg(test::shared_dir() / "images" / photos[0]));
    StylizeTimings t;
    auto out = toon.stylize_batch({&a, &a}, &t);
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    EXPECT_EQ(t.batch, 1);
    EXPECT_FALSE(toon.batch_unsupported().empty());
    return;
  }
  double worst = 0;
  for (int64_t i = 0; i < 3; ++i) {
    auto single = session.run({crops[i]});
    ASSERT_TRUE(single.is_ok()) << single.status().to_string();
    const auto e = test::compare(slice_item((*got)[0], i), (*single)[0]);
    worst = std::max(worst, e.max_abs);
    EXPECT_LE(e.max_abs, 1e-5) << GetParam() << " item " << i << ": " << e.to_string();
  }
  std::printf("[ measure  ] %s batch of 3 at 128x128 vs singles: max abs %.3g\n", GetParam().c_str(), worst);
}

INSTANTIATE_TEST_SUITE_P(Models, BatchModels, ::testing::Values("whitebox", "animeganv3"));

TEST(TilingModels, WhiteboxTiledPhotoMatchesWholeWithoutSeams) {
  std::string skip;
  auto model = model_or_skip(test::shared_dir() / "models" / "whitebox-cartoon" / "tfjs-float16", &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const fs::path photo = test::shared_dir() / "images" / "wb_london1.jpg";
  if (!fs::exists(photo)) GTEST_SKIP() << "photo not found: " << photo;
  const Image image = to_image(test::read_jpeg(photo));
  const int overlap = model->tile_overlap, multiple = model->contract.size_multiple;
  ModelRunner toon(std::move(model).value(),
                   DeviceSelection{std::shared_ptr<Backend>(cpu::create_cpu_backend()),
                                   Precision::kFloat32, "test", false});
  StylizeOptions whole_opt, tiled_opt;
  whole_opt.tile_size = -1;
  tiled_opt.tile_size = 256;
  StylizeTimings tw, tt;
  auto whole = toon.stylize(image, &tw, whole_opt);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  auto tiled = toon.stylize(image, &tt, tiled_opt);
  ASSERT_TRUE(tiled.is_ok()) << tiled.status().to_string();
  const TilePlan plan = plan_tiles(image.width, image.height, 256, overlap, multiple);
  EXPECT_EQ(tt.tiles, static_cast<int>(plan.count()));
  const double psnr = test::psnr_u8(*tiled, *whole);
  double seam = 0, rest = 0;
  test::seam_errors(*tiled, *whole, plan, &seam, &rest);
  std::printf("[ measure  ] whitebox %dx%d, %zu tiles of 256 px (overlap %d): PSNR %.2f dB, mean abs error "
              "at seams %.3f, elsewhere %.3f (levels); whole %.0f ms, tiled %.0f ms compute\n",
              image.width, image.height, plan.count(), overlap, psnr, seam, rest, tw.run.timings.compute_ms,
              tt.run.timings.compute_ms);
  EXPECT_GE(psnr, 40.0);
  EXPECT_LE(seam, 1.0);
}

// White-box on CUDA: a batch of 4 at 512x512 against 4 single calls (GPU compute time
// from the executable's events, best of 5), and the batch's items against the singles.
TEST(CudaBatchModels, WhiteboxBatchOfFourVsFourSingles) {
  std::string skip;
  std::shared_ptr<Backend> cuda = test::cuda_backend(&skip);
  if (!cuda) GTEST_SKIP() << skip;
  auto model = model_or_skip(test::shared_dir() / "models" / "whitebox-cartoon" / "tfjs-float16", &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(model.is_ok());
  const fs::path photo = test::shared_dir() / "images" / "wb_london1.jpg";
  if (!fs::exists(photo)) GTEST_SKIP() << "photo not found: " << photo;
  const Tensor big = test::photo_to_input(test::read_jpeg(photo), 800, 8);
  std::vector<Tensor> items;
  for (int i = 0; i < 4; ++i) items.push_back(crop(big, 40 * i, 0, 512));
  const Tensor batch = stack(items);
  for (Precision p : {Precision::kFloat32, Precision::kFloat16}) {
    Session s(model->graph, cuda, p, SessionOptions{/*allow_batch=*/true});
    auto out = s.run({batch});
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    double batch_ms = 1e30, singles_ms = 1e30, worst = 0;
    for (int rep = 0; rep < 5; ++rep) {
      RunReport r;
      ASSERT_TRUE(s.run({batch}, &r).is_ok());
      batch_ms = std::min(batch_ms, r.timings.compute_ms);
      double sum = 0;
      for (int i = 0; i < 4; ++i) {
        RunReport ri;
        auto single = s.run({items[i]}, &ri);
        ASSERT_TRUE(single.is_ok());
        sum += ri.timings.compute_ms;
        if (rep == 0) worst = std::max(worst, test::compare(slice_item((*out)[0], i), (*single)[0]).max_abs);
      }
      singles_ms = std::min(singles_ms, sum);
    }
    std::printf("[ measure  ] whitebox CUDA %s 512x512: batch of 4 %.2f ms, 4 singles %.2f ms (GPU compute, best "
                "of 5); batch vs singles max abs %.3g\n",
                precision_name(p), batch_ms, singles_ms, worst);
    EXPECT_LE(worst, p == Precision::kFloat32 ? 1e-3 : 5e-2);
  }
}

}  // namespace
}  // namespace toonbox
