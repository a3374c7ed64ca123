// The upscale pipeline on a small synthetic upscaler built like Real-CUGAN (valid 3x3
// convolutions that eat 2 px of prepadding a side, two squeeze-and-excitation blocks
// over whole-image means, a 2x pixel shuffle): tiles with shared means reproduce the
// whole image, tiles run alone do not, and the parts around it (padding, flips, alpha,
// the scaled tile plan) do what they say.
#include <gtest/gtest.h>

#include <cmath>

#include "backend/cpu/cpu_backend.h"
#include "pipeline/image_tensor.h"
#include "pipeline/tiling.h"
#include "pipeline/upscale/dihedral.h"
#include "pipeline/upscale/shared_statistics.h"
#include "pipeline/upscale/upscale_padding.h"
#include "pipeline/upscale/upscaler.h"
#include "unit/test_util.h"
#include "unit/tiling_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::graph;

namespace toonbox {
namespace {

int conv(Graph& g, int x, int cin, int cout, int k, UnaryOp act, uint32_t seed, float gain) {
  Tensor w = test::random_tensor({cout, cin, k, k}, seed, -gain, gain);
  Tensor b = test::random_tensor({cout}, seed + 1, -0.1f, 0.1f);
  Conv2DParams p;
  p.layout = Layout::kNCHW;
  p.activation.op = act;
  return g.add_node(OpKind::kConv2D, "conv" + std::to_string(seed),
                    {x, g.add_constant("w" + std::to_string(seed), w), g.add_constant("b" + std::to_string(seed), b)}, p);
}

int squeeze_excite(Graph& g, int x, int c, uint32_t seed) {
  const int mean = g.add_node(OpKind::kReduce, "gap" + std::to_string(seed), {x}, ReduceParams{ReduceOp::kMean, {2, 3}, true});
  const int gate = conv(g, mean, c, c, 1, UnaryOp::kSigmoid, seed, 4.f);
  return g.add_node(OpKind::kBinary, "se" + std::to_string(seed), {x, gate}, BinaryParams{BinaryOp::kMul});
}

// [1,3,H,W] 0..1 -> [1,3,2(H-4),2(W-4)].
ImageModel synthetic_upscaler() {
  ImageModel m;
  Graph& g = m.graph;
  int x = g.add_input("in", DType::kFloat32, {1, 3, -1, -1});
  x = conv(g, x, 3, 8, 3, UnaryOp::kRelu, 10, 0.5f);
  x = squeeze_excite(g, x, 8, 20);
  x = conv(g, x, 8, 8, 3, UnaryOp::kRelu, 30, 0.3f);
  x = squeeze_excite(g, x, 8, 40);
  x = conv(g, x, 8, 12, 1, UnaryOp::kSigmoid, 50, 0.8f);
  g.add_output(g.add_node(OpKind::kDepthToSpace, "shuffle", {x}, DepthToSpaceParams{Layout::kNCHW, 2, DepthToSpaceMode::kCrd}));
  m.contract.layout = Layout::kNCHW;
  m.contract.input_range = m.contract.output_range = {0.f, 1.f};
  m.contract.size_multiple = 2;
  m.contract.scale = 2;
  m.contract.prepadding = 2;
  return m;
}

// A smooth picture with edges and a bright corner (so the means differ by region).
Image test_picture(int w, int h, bool alpha = false) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &img.rgb[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(x * 255 / w);
      p[1] = static_cast<uint8_t>(((x / 9 + y / 7) % 2) ? 200 : 40);
      p[2] = static_cast<uint8_t>(x > w * 3 / 4 && y < h / 3 ? 250 : 128 + 100 * std::sin(0.05 * (x + 2 * y)));
    }
  if (alpha) {
    img.alpha.resize(static_cast<size_t>(w) * h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) img.alpha[static_cast<size_t>(y) * w + x] = x < w / 2 ? 255 : 0;
  }
  return img;
}

DeviceSelection cpu() {
  DeviceSelection d;
  d.backend = cpu::create_cpu_backend();
  return d;
}

TEST(SharedStatistics, FindsTheMeansAndFeedsThemAsInputs) {
  const ImageModel m = synthetic_upscaler();
  const SharedStatistics s = SharedStatistics::find(m.graph, Layout::kNCHW);
  ASSERT_EQ(s.count(), 2u);
  EXPECT_EQ(s.level_graph(0).inputs().size(), 2u);  // image, mask
  EXPECT_EQ(s.level_graph(1).inputs().size(), 3u);  // image, mean 0, mask
  EXPECT_EQ(s.final_graph().inputs().size(), 3u);   // image, means 0 and 1
  EXPECT_EQ(s.probe_graph().outputs().size(), 2u);
  const Graph fed = s.final_graph();
  for (const Node& n : fed.nodes()) EXPECT_NE(n.kind, OpKind::kReduce) << n.name;
  // NHWC means are over axes 1 and 2: none here.
  EXPECT_EQ(SharedStatistics::find(m.graph, Layout::kNHWC).count(), 0u);
}

void expect_tiles_match_whole(const DeviceSelection& device) {
  Upscaler up(synthetic_upscaler(), "synthetic", device);
  ASSERT_TRUE(up.has_shared_statistics());
  const Image in = test_picture(157, 101);
  UpscaleReport whole_report, tiled_report;
  auto whole = up.upscale(in, {.tile_size = -1}, &whole_report);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  EXPECT_EQ(whole->width, 314);
  EXPECT_EQ(whole->height, 202);
  EXPECT_EQ(whole_report.tiles, 1);
  auto tiled = up.upscale(in, {.tile_size = 64}, &tiled_report);
  ASSERT_TRUE(tiled.is_ok()) << tiled.status().to_string();
  EXPECT_GT(tiled_report.tiles, 4);
  EXPECT_EQ(tiled_report.passes, 3);
  const double psnr = test::psnr_u8(*tiled, *whole);
  std::printf("[ measure ] synthetic SE upscaler, %d tiles with shared means vs whole: %.1f dB\n",
              tiled_report.tiles, psnr);
  EXPECT_GE(psnr, 60.0);
}

TEST(Upscaler, TilesWithSharedMeansMatchTheWholeImage) { expect_tiles_match_whole(cpu()); }

TEST(UpscalerCuda, TilesWithSharedMeansMatchTheWholeImage) {
  std::string skip;
  DeviceSelection d;
  d.backend = test::cuda_backend(&skip);
  if (!d.backend) GTEST_SKIP() << skip;
  d.is_gpu = true;
  expect_tiles_match_whole(d);
}

// Without shared means a tile's SE gates see only the tile: its output differs from the
// whole image's (what the shared means exist to fix; the test above would fail).
TEST(Upscaler, ATileRunAloneDiffersFromTheWholeImage) {
  const ImageModel m = synthetic_upscaler();
  Session session(m.graph, cpu::create_cpu_backend(), Precision::kFloat32);
  const Image in = test_picture(157, 101);
  const Image padded = pad_image(in, 2, 1, 1, true);
  auto run = [&](const Image& img) {
    Tensor t = image_to_tensor(img, m.contract);
    auto out = session.run({t});
    EXPECT_TRUE(out.is_ok());
    return std::move((*out)[0]);
  };
  const Tensor whole = run(padded);
  const Tensor tile = run(crop_image(padded, {0, 0, 68, 68}));  // output 128x128 at the origin
  double max_diff = 0;
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < 128; ++y)
      for (int64_t x = 0; x < 128; ++x)
        max_diff = std::max<double>(max_diff, std::fabs(tile.data<float>()[(c * 128 + y) * 128 + x] -
                                                        whole.data<float>()[(c * whole.dim(2) + y) * whole.dim(3) + x]));
  // Shared means reproduce the whole image to float rounding (the test above: identical
  // 8-bit output); alone, the SE gates move the output by whole levels.
  std::printf("[ measure ] a tile alone vs the whole image: max %.2f levels\n", max_diff * 255);
  EXPECT_GT(max_diff * 255, 1.0);
}

TEST(Upscaler, TtaAveragesTheEightFlipsAndKeepsTheSize) {
  Upscaler up(synthetic_upscaler(), "synthetic", cpu());
  const Image in = test_picture(41, 30);
  UpscaleReport report;
  auto plain = up.upscale(in, {.tile_size = -1});
  auto tta = up.upscale(in, {.tile_size = -1, .tta = true}, &report);
  ASSERT_TRUE(plain.is_ok() && tta.is_ok());
  EXPECT_EQ(report.runs, 8);
  EXPECT_EQ(tta->width, 82);
  EXPECT_EQ(tta->height, 60);
  // A random network is not flip-equivariant: the average differs, but stays a picture
  // of the same thing.
  const double psnr = test::psnr_u8(*tta, *plain);
  EXPECT_LT(psnr, 60.0);
  EXPECT_GT(psnr, 15.0);
}

TEST(Upscaler, AlphaIsUpscaledApart) {
  Upscaler up(synthetic_upscaler(), "synthetic", cpu());
  const Image in = test_picture(40, 20, /*alpha=*/true);
  auto out = up.upscale(in, {.tile_size = -1});
  ASSERT_TRUE(out.is_ok());
  ASSERT_EQ(out->alpha.size(), 80u * 40u);
  EXPECT_EQ(out->alpha[10 * 80 + 5], 255);   // left half opaque
  EXPECT_EQ(out->alpha[10 * 80 + 75], 0);    // right half transparent
  EXPECT_GT(out->alpha[10 * 80 + 40], 0);    // the edge is resampled, not stepped
  EXPECT_LT(out->alpha[10 * 80 + 40], 255);
}

TEST(Upscaler, AModelWhoseOutputIsNotItsScaleIsRefused) {
  ImageModel m = synthetic_upscaler();
  m.contract.scale = 3;
  Upscaler up(std::move(m), "wrong", cpu());
  auto out = up.upscale(test_picture(20, 20), {.tile_size = -1});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("is not x3 its input"), std::string::npos) << out.status().message();
}

TEST(UpscalePadding, ReflectsLikePyTorchAndRepeatsForTinyImages) {
  EXPECT_EQ(reflect_index(-1, 5), 1);
  EXPECT_EQ(reflect_index(-2, 5), 2);
  EXPECT_EQ(reflect_index(5, 5), 3);
  EXPECT_EQ(reflect_index(-7, 3), 1);  // 2 periods away still lands inside
  EXPECT_EQ(reflect_index(9, 1), 0);
  const Image in = test_picture(3, 2);
  const Image p = pad_image(in, 4, 1, 0, true);
  EXPECT_EQ(p.width, 3 + 8 + 1);
  EXPECT_EQ(p.height, 2 + 8);
}

TEST(Dihedral, EveryTransformIsUndoneByItsInverse) {
  const Image in = test_picture(7, 5);
  for (int t = 0; t < kDihedralCount; ++t) {
    const Image tr = dihedral_transform(in, t);
    std::vector<float> canvas(tr.rgb.begin(), tr.rgb.end()), back(in.rgb.size(), 0.f);
    add_dihedral_inverse(canvas, tr.width, tr.height, t, &back);
    for (size_t i = 0; i < back.size(); ++i) ASSERT_EQ(back[i], in.rgb[i]) << "transform " << t;
  }
  EXPECT_EQ(dihedral_transform(in, 4).width, 5);
}

TEST(TilePlan, ScaledWeightsStillSumToOne) {
  const TilePlan out = plan_tiles(300, 170, 96, 32, 2).scaled(3);
  for (int y = 0; y < 510; y += 7)
    for (int x = 0; x < 900; ++x) {
      double sum = 0;
      for (size_t i = 0; i < out.count(); ++i) sum += out.weight(i, x, y);
      ASSERT_NEAR(sum, 1.0, 1e-5) << x << "," << y;
    }
}

TEST(UpscaleModel, AModelWithoutAScaleIsNotAnUpscaler) {
  EXPECT_FALSE(default_upscaler_name(5).is_ok());
  EXPECT_EQ(*default_upscaler_name(3), "realesr-animevideov3-x3");
}

}  // namespace
}  // namespace toonbox
