// Tiling: the plan covers every pixel with weights that sum to 1, a tiled run of the
// built-in style matches the whole-image run (PSNR >= 40 dB) without seams, and an
// out-of-memory error (injected) halves the tile until it fits or the minimum fails.
#include <gtest/gtest.h>

#include <cmath>

#include "backend/cpu/cpu_backend.h"
#include "pipeline/builtin_style.h"
#include "pipeline/model_runner.h"
#include "pipeline/model_loader.h"
#include "pipeline/tiling.h"
#include "unit/instrumented_backend.h"
#include "unit/tiling_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;

namespace toonbox {
namespace {

using test::psnr_u8;
using test::seam_errors;

TEST(TilePlan, CoversEveryPixelWithWeightsSummingToOne) {
  struct Case {
    int w, h, tile, overlap, align;
  };
  for (const Case c : {Case{1000, 700, 256, 64, 1}, Case{257, 256, 256, 64, 8}, Case{450, 130, 256, 64, 16},
                       Case{513, 1025, 128, 48, 8}, Case{300, 300, 512, 64, 1}, Case{1917, 33, 200, 80, 8},
                       Case{450, 451, 256, 64, 1}}) {
    SCOPED_TRACE(std::to_string(c.w) + "x" + std::to_string(c.h) + " tile " + std::to_string(c.tile) +
                 " align " + std::to_string(c.align));
    const TilePlan plan = plan_tiles(c.w, c.h, c.tile, c.overlap, c.align);
    ASSERT_GE(plan.count(), 1u);
    for (size_t i = 0; i < plan.count(); ++i) {
      const TileRect r = plan.rect(i);
      EXPECT_GE(r.x, 0);
      EXPECT_GE(r.y, 0);
      // Starts on the model's stride grid; only the last tile may run past the edge,
      // by less than one alignment step.
      EXPECT_EQ(r.x % c.align, 0);
      EXPECT_EQ(r.y % c.align, 0);
      EXPECT_LT(r.x + r.width, c.w + c.align);
      EXPECT_LT(r.y + r.height, c.h + c.align);
      EXPECT_EQ(r.width, std::min(c.tile, c.w));  // one size for every tile: one executable
      EXPECT_EQ(r.height, std::min(c.tile, c.h));
    }
    for (const AxisTiles* a : {&plan.xs, &plan.ys})
      for (size_t i = 0; i + 1 < a->starts.size(); ++i)
        EXPECT_GE(a->starts[i] + a->tile - a->starts[i + 1], c.overlap) << "neighbours share too little";
    double worst = 0;
    for (int y = 0; y < c.h; ++y)
      for (int x = 0; x < c.w; ++x) {
        double sum = 0;
        for (size_t i = 0; i < plan.count(); ++i) {
          const float w = plan.weight(i, x, y);
          const TileRect r = plan.rect(i);
          if (x < r.x || x >= r.x + r.width || y < r.y || y >= r.y + r.height) {
            EXPECT_EQ(w, 0.f);
          }
          sum += w;
        }
        worst = std::max(worst, std::abs(sum - 1.0));
      }
    EXPECT_LE(worst, 1e-6);
  }
}

TEST(TilePlan, BlendedPixelsKeepAQuarterOverlapOfContext) {
  const TilePlan plan = plan_tiles(1000, 100, 256, 64);
  const AxisTiles& a = plan.xs;
  for (size_t i = 0; i < a.starts.size(); ++i)
    for (int p = 0; p < 1000; ++p) {
      if (a.weight(i, p) == 0.f) continue;
      if (i > 0) {
        EXPECT_GE(p - a.starts[i], 16) << "tile " << i;
      }
      if (i + 1 < a.starts.size()) {
        EXPECT_GE(a.starts[i] + a.tile - 1 - p, 16) << "tile " << i;
      }
    }
}

// The classic style as users get it (margin, overlap) from the model loader.
ModelSource classic_source() { return load_model_source(kBuiltinStyleName, nullptr).value(); }

// Smooth gradients, discs with hard edges and a fine texture: every part of the style.
Image generated_photo(int w, int h) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double d1 = std::hypot(x - 0.3 * w, y - 0.4 * h), d2 = std::hypot(x - 0.7 * w, y - 0.6 * h);
      const bool disc1 = d1 < 0.2 * h, disc2 = d2 < 0.25 * h;
      for (int c = 0; c < 3; ++c) {
        double v = 40 + 150.0 * (x + (c + 1) * y) / (w + 3.0 * h);
        if (disc1) v = 220 - 40 * c;
        if (disc2) v = 30 + 60 * c;
        v += 12 * std::sin(x * 0.9 + c) * std::cos(y * 0.7);
        img.rgb[(static_cast<size_t>(y) * w + x) * 3 + c] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  return img;
}

TEST(Tiling, ClassicTiledMatchesWholeWithoutSeams) {
  auto cpu = std::make_shared<test::InstrumentedBackend>(
      std::shared_ptr<Backend>(cpu::create_cpu_backend()));
  ModelRunner toon(classic_source(), DeviceSelection{cpu, Precision::kFloat32, "test", false});
  const Image photo = generated_photo(300, 200);
  StylizeOptions whole_opt, tiled_opt;
  whole_opt.tile_size = -1;
  tiled_opt.tile_size = 128;
  StylizeTimings tw, tt;
  auto whole = toon.stylize(photo, &tw, whole_opt);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  cpu->reset_counts();
  auto tiled = toon.stylize(photo, &tt, tiled_opt);
  ASSERT_TRUE(tiled.is_ok()) << tiled.status().to_string();
  const TilePlan plan = plan_tiles(300, 200, 128, classic_source().tile_overlap);
  EXPECT_EQ(tt.tiles, static_cast<int>(plan.count()));
  EXPECT_GT(tt.tiles, 4);
  EXPECT_EQ(cpu->runs(), tt.tiles);
  EXPECT_EQ(cpu->compiles(), 1) << "every tile has the same shape";
  const double psnr = psnr_u8(*tiled, *whole);
  double at_seams = 0, elsewhere = 0;
  seam_errors(*tiled, *whole, plan, &at_seams, &elsewhere);
  RecordProperty("psnr_db", std::to_string(psnr));
  std::printf("classic 300x200, 128 px tiles: PSNR %.2f dB, mean abs error at seams %.4f, elsewhere %.4f\n",
              psnr, at_seams, elsewhere);
  EXPECT_GE(psnr, 40.0);
  // A seam would show as error concentrated at the hand-overs.
  EXPECT_LE(at_seams, 0.5) << "levels of 255";
  EXPECT_LE(at_seams, 3 * elsewhere + 0.1);
}

TEST(Tiling, OutOfMemoryHalvesTheTileUntilItFits) {
  auto cpu = std::make_shared<test::InstrumentedBackend>(
      std::shared_ptr<Backend>(cpu::create_cpu_backend()));
  cpu->free_bytes = size_t{1} << 40;  // automatic sizing sees plenty: runs whole, then hits the limit
  ModelRunner toon(classic_source(), DeviceSelection{cpu, Precision::kFloat32, "test", false});
  const Image photo = generated_photo(400, 300);
  // Allow the arena of a 200 px tile (with its 8 px margins), not more.
  Session probe(classic_source().graph, cpu, Precision::kFloat32);
  RunReport r;
  ASSERT_TRUE(probe.prepare({{1, 216, 216, 3}}, &r).is_ok());
  cpu->arena_limit = r.arena_bytes;
  StylizeTimings t;
  auto out = toon.stylize(photo, &t);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0], "out of memory at the whole 400x300 image: retried with 200");
  EXPECT_GT(t.tiles, 1);
  // Same result as asking for 200 px tiles.
  cpu->arena_limit = SIZE_MAX;
  StylizeOptions fixed;
  fixed.tile_size = 200;
  auto want = toon.stylize(photo, nullptr, fixed);
  ASSERT_TRUE(want.is_ok());
  EXPECT_EQ(out->rgb, want->rgb);

  // Fixed tiles too: 512 -> 256 -> 128 when only a 128 px tile fits.
  ASSERT_TRUE(probe.prepare({{1, 144, 144, 3}}, &r).is_ok());
  cpu->arena_limit = r.arena_bytes;
  StylizeTimings t2;
  StylizeOptions big;
  big.tile_size = 300;
  auto out2 = toon.stylize(photo, &t2, big);
  ASSERT_TRUE(out2.is_ok()) << out2.status().to_string();
  ASSERT_EQ(t2.notes.size(), 2u);
  EXPECT_EQ(t2.notes[0], "out of memory at 300 px tiles: retried with 150");
  EXPECT_EQ(t2.notes[1], "out of memory at 150 px tiles: retried with 128");
}

TEST(Tiling, OutOfMemoryAtTheSmallestTileIsReturnedNotACrash) {
  auto cpu = std::make_shared<test::InstrumentedBackend>(
      std::shared_ptr<Backend>(cpu::create_cpu_backend()));
  cpu->free_bytes = size_t{1} << 40;
  cpu->arena_limit = 1024;  // nothing fits
  ModelRunner toon(classic_source(), DeviceSelection{cpu, Precision::kFloat32, "test", false});
  auto out = toon.stylize(generated_photo(300, 200));
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), StatusCode::kOutOfMemory);
  EXPECT_NE(out.status().message().find("even at 128 px tiles"), std::string::npos) << out.status().message();
  // never tile: the first OOM is the answer
  StylizeOptions never;
  never.tile_size = -1;
  auto once = toon.stylize(generated_photo(300, 200), nullptr, never);
  EXPECT_EQ(once.status().code(), StatusCode::kOutOfMemory);
}

TEST(Tiling, AutomaticTileSizeFollowsFreeMemory) {
  auto cpu = std::make_shared<test::InstrumentedBackend>(
      std::shared_ptr<Backend>(cpu::create_cpu_backend()));
  ModelRunner toon(classic_source(), DeviceSelection{cpu, Precision::kFloat32, "test", false});
  Session probe(classic_source().graph, cpu, Precision::kFloat32);
  RunReport r;
  ASSERT_TRUE(probe.prepare({{1, 256, 256, 3}}, &r).is_ok());
  const double bpp = static_cast<double>(r.arena_bytes) / (256.0 * 256.0);
  // Free memory for a 200x200 shape at the 50% rule: a 600x500 image must be tiled.
  cpu->free_bytes = static_cast<size_t>(bpp * 200 * 200 * 2 * 1.001);
  StylizeTimings t;
  auto out = toon.stylize(generated_photo(600, 500), &t);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_GT(t.tiles, 1);
  ASSERT_FALSE(t.notes.empty());
  EXPECT_EQ(t.notes[0].rfind("tiles of 200 px", 0), 0u) << t.notes[0];
  // Plenty of memory: whole.
  cpu->free_bytes = size_t{1} << 40;
  StylizeTimings t2;
  ASSERT_TRUE(toon.stylize(generated_photo(600, 500), &t2).is_ok());
  EXPECT_EQ(t2.tiles, 1);
  EXPECT_TRUE(t2.notes.empty());
}

// Measuring the working memory compiles the model at a probe size; where the graph's
// no-reuse bound already fits twice, the first image compiles its own shape only.
TEST(Tiling, PlentyOfMemoryRunsWholeWithoutTheProbeCompile) {
  auto cpu = std::make_shared<test::InstrumentedBackend>(
      std::shared_ptr<Backend>(cpu::create_cpu_backend()));
  cpu->free_bytes = size_t{1} << 40;
  ModelRunner toon(classic_source(), DeviceSelection{cpu, Precision::kFloat32, "test", false});
  StylizeTimings t;
  ASSERT_TRUE(toon.stylize(generated_photo(300, 200), &t).is_ok());
  EXPECT_EQ(t.tiles, 1);
  EXPECT_EQ(cpu->compiles(), 1) << "the image's shape only, no probe";
  // Less free memory than twice the bound: the probe measures, as before (one compile
  // more), and with room for the measured arena the image still runs whole.
  ModelRunner tight(classic_source(), DeviceSelection{cpu, Precision::kFloat32, "test", false});
  Session session(classic_source().graph, cpu, Precision::kFloat32);
  auto bound = session.unshared_activation_bytes({{1, 216, 312, 3}});
  ASSERT_TRUE(bound.is_ok()) << bound.status().to_string();
  cpu->free_bytes = *bound;
  cpu->reset_counts();
  StylizeTimings t2;
  ASSERT_TRUE(tight.stylize(generated_photo(300, 200), &t2).is_ok());
  EXPECT_EQ(cpu->compiles(), 2) << "the probe, then the image's shape";
}

}  // namespace
}  // namespace toonbox
