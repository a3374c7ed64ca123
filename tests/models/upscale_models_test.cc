// The upscale pipeline (pipeline/upscale/upscaler.h) on the shared ncnn upscalers and
// real photos:
//   - tiled vs whole image >= 45 dB for every upscaler, Real-CUGAN included (its SE
//     blocks' means shared across tiles, shared_statistics.h);
//   - toonbox fp32 (the whole contract: 0..1 RGB, Real-CUGAN's 18 px reflect prepadding
//     and crop) vs the published PyTorch architecture on the same weights
//     (tests/oracles/ncnn_torch_run.py, image mode: the authors' own padding) >= 50 dB.
// Skips, saying why, without ../shared or python3-torch.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "backend/cpu/cpu_backend.h"
#include "image/image_io.h"
#include "image/resize.h"
#include "models/photo_util.h"
#include "models/torch_oracle.h"
#include "pipeline/upscale/upscaler.h"
#include "unit/test_util.h"
#include "unit/tiling_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;
using namespace toonbox::engine;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

struct UpscalerCase {
  const char* label;
  const char* arch;  // ncnn_torch_run.py ARCH
  const char* param;
  const char* bin;
};

constexpr UpscalerCase kCases[] = {
    {"realesr-animevideov3-x4", "srvgg-x4", "realesr-animevideov3-ncnn/realesr-animevideov3-x4.param",
     "realesr-animevideov3-ncnn/realesr-animevideov3.bin"},
    {"realesr-animevideov3-x3", "srvgg-x3", "realesr-animevideov3-ncnn/realesr-animevideov3-x3.param",
     "realesr-animevideov3-ncnn/realesr-animevideov3.bin"},
    {"realesr-animevideov3-x2", "srvgg-x2", "realesr-animevideov3-ncnn/realesr-animevideov3-x2.param",
     "realesr-animevideov3-ncnn/realesr-animevideov3.bin"},
    {"realcugan-2x-conservative", "cugan-2x", "realcugan-se-ncnn/up2x-conservative.param",
     "realcugan-se-ncnn/up2x-conservative.bin"},
};

fs::path model_path(const char* rel) { return test::shared_dir() / "models" / rel; }

// A real photo scaled (area) to `width` px wide: small enough for the CPU, large
// enough for several tiles.
Result<Image> photo(const char* name, int width) {
  TB_ASSIGN_OR_RETURN(Image img, read_image_file((test::shared_dir() / "images" / name).string(), DecodeOptions{}));
  const int height = static_cast<int>(std::lround(static_cast<double>(img.height) * width / img.width));
  return resize_image(img, width, height);
}

DeviceSelection cpu() {
  DeviceSelection d;
  d.backend = cpu::create_cpu_backend();
  return d;
}

class UpscaleModels : public ::testing::TestWithParam<UpscalerCase> {
 protected:
  void SetUp() override {
    if (!fs::exists(model_path(GetParam().param)) || !fs::exists(model_path(GetParam().bin)))
      GTEST_SKIP() << model_path(GetParam().param) << " not found (the shared models folder is absent)";
  }
  std::unique_ptr<Upscaler> load(const DeviceSelection& device) {
    auto up = load_upscaler(model_path(GetParam().param).string(), 0, model_path(GetParam().bin).string(), device);
    EXPECT_TRUE(up.is_ok()) << up.status().to_string();
    return up.is_ok() ? std::move(up).value() : nullptr;
  }
};

void tiled_vs_whole(std::unique_ptr<Upscaler> up, const char* label, const char* device_name) {
  ASSERT_TRUE(up);
  auto in = photo("wb_london1.jpg", 168);
  ASSERT_TRUE(in.is_ok()) << in.status().to_string();
  UpscaleReport whole_report, tiled_report;
  auto whole = up->upscale(*in, {.tile_size = -1}, &whole_report);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  auto tiled = up->upscale(*in, {.tile_size = 96}, &tiled_report);
  ASSERT_TRUE(tiled.is_ok()) << tiled.status().to_string();
  ASSERT_GE(tiled_report.tiles, 4);
  EXPECT_EQ(tiled_report.passes, up->has_shared_statistics() ? 5 : 1);
  const double psnr = test::psnr_u8(*tiled, *whole);
  std::printf("[ measure ] upscale %s %s wb_london1 %dx%d: %d tiles of 96 vs whole %.2f dB\n", label, device_name,
              in->width, in->height, tiled_report.tiles, psnr);
  EXPECT_GE(psnr, 45.0) << label;
}

TEST_P(UpscaleModels, TiledMatchesWholeImage) { tiled_vs_whole(load(cpu()), GetParam().label, "cpu"); }

TEST_P(UpscaleModels, CudaTiledMatchesWholeImage) {
  std::string skip;
  DeviceSelection d;
  d.backend = test::cuda_backend(&skip);
  if (!d.backend) GTEST_SKIP() << skip;
  d.is_gpu = true;
  tiled_vs_whole(load(d), GetParam().label, "cuda-fp32");
}

TEST_P(UpscaleModels, Fp32MatchesPyTorchOnAPhoto) {
  if (std::string why = test::torch_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  const fs::path work = fs::temp_directory_path() / ("toonbox_upscale_models_" + std::to_string(::getpid())) / GetParam().label;
  fs::create_directories(work);
  // An odd width and height: Real-CUGAN's extra reflect row and column and crop are in play.
  auto in = photo("wb_actress2.jpg", 75);
  ASSERT_TRUE(in.is_ok()) << in.status().to_string();
  if (in->height % 2 == 0) in = resize_image(*in, 75, in->height - 1);
  const fs::path png = work / "in.png";
  ASSERT_TRUE(write_image_file(png.string(), *in).is_ok());
  auto want = test::run_torch_ncnn_image(GetParam().arch, model_path(GetParam().param), model_path(GetParam().bin), png, work);
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  auto up = load(cpu());
  ASSERT_TRUE(up);
  auto got = up->upscale(*in, {.tile_size = -1});
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  ASSERT_EQ(want->shape(), (Shape{1, 3, got->height, got->width}));
  double se = 0;
  const int64_t plane = static_cast<int64_t>(got->width) * got->height;
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < plane; ++i) {
      const double ref = std::clamp(want->data<float>()[c * plane + i] * 255.0, 0.0, 255.0);
      const double d = got->rgb[i * 3 + c] - ref;
      se += d * d;
    }
  const double mse = se / (3.0 * plane);
  const double psnr = mse == 0 ? 200 : 10 * std::log10(255.0 * 255.0 / mse);
  std::printf("[ measure ] upscale %s cpu fp32 wb_actress2 %dx%d vs PyTorch: %.2f dB\n", GetParam().label, in->width,
              in->height, psnr);
  EXPECT_GE(psnr, 50.0);
  fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Shared, UpscaleModels, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           std::string n = info.param.label;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace toonbox
