// The inpainting network adapter: tiny ONNX nets built at test time with Debian's
// python3-onnx (tests/oracles/inpaint_tiny_nets.py), each filling the hole with a known
// function of its inputs in one contract form (LaMa's image + mask at any size and at a
// fixed 512x512 with output on 0..255, the 4-channel image*(1-m) || m form, MI-GAN's
// 255 = keep with the mask input first). A wrong input order, mask convention, range or
// missing hole zeroing gives a different picture, which these tests check too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <tuple>

#include "backend/cpu/cpu_backend.h"
#include "engine/device_select.h"
#include "inpaint_test_util.h"
#include "instrumented_backend.h"
#include "pipeline/inpaint/inpaint_pipeline.h"

using namespace toonbox::pipeline;
using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::graph;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

class InpaintNetwork : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string py = test::python_with("onnx");
    if (py.empty()) return;
    dir_ = new fs::path(test::fresh_temp_dir("inpaint_nets"));
    const std::string cmd = py + " " + (test::repo_dir() / "tests/oracles/inpaint_tiny_nets.py").string() + " " +
                            dir_->string();
    if (std::system(cmd.c_str()) != 0) {
      delete dir_;
      dir_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "python3-onnx not importable: cannot build the test nets (apt-get install python3-onnx)";
  }
  static std::string net(const char* name) { return (*dir_ / name).string(); }

  static Result<ContractOverrides> overrides(const std::string& convention, const std::string& range) {
    ContractOverrides flags;
    TB_ASSIGN_OR_RETURN(flags.mask, parse_mask_convention(convention));
    const size_t semi = range.find(';');
    TB_ASSIGN_OR_RETURN(flags.output_range, parse_value_range(range.substr(0, semi)));
    if (semi != std::string::npos) {
      TB_ASSIGN_OR_RETURN(flags.input_range, parse_value_range(range.substr(semi + 1)));
    }
    return flags;
  }

  // Runs `file` with `convention` (and `range` as --range) on a photo with two holes.
  // `range` is "OUT" or "OUT;IN" (the input range defaults to the output's, as --range).
  Result<Image> run(const std::string& file, const std::string& convention, const std::string& range,
                    const Image& photo, const InpaintMask& mask, InpaintOptions options = {},
                    std::shared_ptr<Backend> backend = nullptr, InpaintReport* report = nullptr) {
    TB_ASSIGN_OR_RETURN(ContractOverrides flags, overrides(convention, range));
    TB_ASSIGN_OR_RETURN(InpaintModel model, load_inpaint_model(file, flags, nullptr));
    if (!backend) backend = std::shared_ptr<Backend>(cpu::create_cpu_backend());
    InpaintPipeline pipeline(std::move(model), backend, Precision::kFloat32);
    InpaintReport local;
    return pipeline.inpaint(photo, mask, options, report ? report : &local);
  }

  static fs::path* dir_;
};
fs::path* InpaintNetwork::dir_ = nullptr;

Image photo() { return test::inpaint_test_photo(101, 67); }  // odd sizes: padded to 8

InpaintMask two_holes() {
  InpaintMask m = test::empty_mask(101, 67);
  test::add_rect(&m, 10, 10, 30, 25);
  test::add_disc(&m, 70, 45, 9);
  return m;
}

// Every pixel outside `mask` equal to `in`; inside, `expect(in pixel, channel)` within `tol`.
template <typename F>
void check(const Image& out, const Image& in, const InpaintMask& mask, int tol, F expect) {
  ASSERT_EQ(out.width, in.width);
  ASSERT_EQ(out.height, in.height);
  int worst = 0;
  for (size_t i = 0; i < mask.hole.size(); ++i)
    for (int c = 0; c < 3; ++c) {
      if (!mask.hole[i]) {
        ASSERT_EQ(out.rgb[i * 3 + c], in.rgb[i * 3 + c]) << "outside the mask at pixel " << i;
        continue;
      }
      worst = std::max(worst, std::abs(int(out.rgb[i * 3 + c]) - expect(&in.rgb[i * 3], c)));
    }
  EXPECT_LE(worst, tol);
}

TEST_F(InpaintNetwork, LamaImageAndMaskAnySize) {
  auto out = run(net("lama_dynamic.onnx"), "lama", "0,1", photo(), two_holes());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  check(*out, photo(), two_holes(), 1, [](const uint8_t* p, int c) { return 255 - p[c]; });
}

TEST_F(InpaintNetwork, WrongConventionGivesAWrongPicture) {
  // MI-GAN's values (0 = remove, 255 = keep) fed to a LaMa-convention net: the holes keep
  // their own pixels instead of the inverted ones.
  auto out = run(net("lama_dynamic.onnx"), "migan", "0,1", photo(), two_holes());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  int wrong = 0;
  const Image in = photo();
  const InpaintMask m = two_holes();
  for (size_t i = 0; i < m.hole.size(); ++i)
    if (m.hole[i] && std::abs(int(out->rgb[i * 3]) - (255 - in.rgb[i * 3])) > 8) ++wrong;
  EXPECT_GT(wrong, m.count() / 2);
}

TEST_F(InpaintNetwork, FixedSizeNetIsFedAt512AndScaledBack) {
  InpaintOptions whole;
  whole.strategy = InpaintStrategy::kOriginal;
  InpaintReport report;
  // Carve's contract: image in on 0..1, output on 0..255.
  auto out = run(net("lama_fixed512.onnx"), "hole=1,known=0", "0,255;0,1", photo(), two_holes(), whole, nullptr,
                 &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  // Resampled to 512 and back: the inverted smooth photo within a few levels (the hole's
  // edge pixels mix with known ones in the mask's nearest resize).
  check(*out, photo(), two_holes(), 40, [](const uint8_t* p, int c) { return 255 - p[c]; });
  // Far from the edges it is exact to resampling error.
  const Image in = photo();
  EXPECT_NEAR(out->rgb[(17 * 101 + 20) * 3 + 1], 255 - in.rgb[(17 * 101 + 20) * 3 + 1], 4);
}

TEST_F(InpaintNetwork, FourChannelFormZeroesTheHoles) {
  auto out = run(net("four_channel.onnx"), "lama", "0,1", photo(), two_holes());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  // 0.2, 0.4, 0.6 of 255: only when the image channels are 0 in the holes.
  const int colour[3] = {51, 102, 153};
  check(*out, photo(), two_holes(), 1, [&](const uint8_t*, int c) { return colour[c]; });
}

TEST_F(InpaintNetwork, MiganConventionWithTheMaskInputFirst) {
  auto out = run(net("migan_like.onnx"), "migan", "0,255", photo(), two_holes());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  check(*out, photo(), two_holes(), 1, [](const uint8_t* p, int c) { return 255 - p[c]; });
}

TEST_F(InpaintNetwork, UnknownConventionAndNonInpaintersAreRefused) {
  auto no_convention = load_inpaint_model(net("lama_dynamic.onnx"), {}, nullptr);
  ASSERT_FALSE(no_convention.is_ok());
  EXPECT_NE(no_convention.status().message().find("--mask-convention"), std::string::npos);
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 3, -1, -1});
  g.add_output(x);
  ImageContract c;
  c.layout = Layout::kNCHW;
  auto refused = inpaint_inputs(g, c);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("x [1,3,?,?]"), std::string::npos) << refused.status().message();
  EXPECT_FALSE(parse_mask_convention("hole=1,known=1").is_ok());
  EXPECT_FALSE(parse_mask_convention("hole=1").is_ok());
}

TEST_F(InpaintNetwork, OutOfMemoryRetriesSmallerThenFailsCleanly) {
  auto cpu = std::make_shared<test::InstrumentedBackend>(
      std::shared_ptr<Backend>(cpu::create_cpu_backend()));
  const Image big = test::inpaint_test_photo(640, 480);
  InpaintMask mask = test::empty_mask(640, 480);
  test::add_rect(&mask, 100, 100, 300, 200);
  InpaintOptions whole;
  whole.strategy = InpaintStrategy::kOriginal;
  // The whole image fails, half of it fits.
  cpu->arena_limit = 640 * 480 * 4 * 8 / 2;
  InpaintReport report;
  auto out = run(net("lama_dynamic.onnx"), "lama", "0,1", big, mask, whole, cpu, &report);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_GE(cpu->ooms(), 1);
  ASSERT_FALSE(report.notes.empty());
  EXPECT_NE(report.notes.back().find("out of memory"), std::string::npos) << report.notes.back();
  // Outside the mask still the input's.
  for (size_t i = 0; i < mask.hole.size(); ++i) {
    if (mask.hole[i]) continue;
    ASSERT_EQ(out->rgb[i * 3], big.rgb[i * 3]);
  }
  // Nothing fits: an out-of-memory error, not a crash.
  cpu->arena_limit = 1;
  auto failed = run(net("lama_dynamic.onnx"), "lama", "0,1", big, mask, whole, cpu);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kOutOfMemory);
}

// The adapter on the GPU: the same picture as on the CPU (the nets are elementwise, so
// fp32 is exact to rounding and fp16 within a level or two). Skips without a GPU.
TEST_F(InpaintNetwork, CudaGivesTheCpuPicture) {
  for (const char* precision : {"fp32", "fp16"}) {
    auto gpu = select_device("cuda", precision);
    if (!gpu.is_ok()) GTEST_SKIP() << "no usable GPU: " << gpu.status().message();
    for (const auto& [file, convention, range] :
         {std::tuple{"lama_dynamic.onnx", "lama", "0,1"}, std::tuple{"four_channel.onnx", "lama", "0,1"},
          std::tuple{"migan_like.onnx", "migan", "0,255"}, std::tuple{"lama_fixed512.onnx", "lama", "0,255;0,1"}}) {
      auto cpu = run(net(file), convention, range, photo(), two_holes());
      auto model = load_inpaint_model(net(file), overrides(convention, range).value(), nullptr);
      ASSERT_TRUE(model.is_ok()) << model.status().to_string();
      InpaintPipeline pipeline(std::move(model).value(), gpu->backend, gpu->precision);
      InpaintReport report;
      auto on_gpu = pipeline.inpaint(photo(), two_holes(), {}, &report);
      ASSERT_TRUE(cpu.is_ok() && on_gpu.is_ok()) << file << " " << precision << ": " << on_gpu.status().to_string();
      int worst = 0;
      for (size_t i = 0; i < cpu->rgb.size(); ++i) worst = std::max(worst, std::abs(cpu->rgb[i] - on_gpu->rgb[i]));
      EXPECT_LE(worst, std::string(precision) == "fp32" ? 1 : 2) << file << " " << precision;
    }
  }
}

}  // namespace
}  // namespace toonbox
