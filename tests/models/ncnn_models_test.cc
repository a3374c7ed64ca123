// The shared ncnn models (realesr-animevideov3 x2/x3/x4, Real-CUGAN 2x, TransformerNet
// candy and mosaic) through toonbox's ncnn importer, against the published PyTorch
// architectures loaded with the same weights by an independent reader
// (tests/oracles/ncnn_torch_run.py), on crops of real photos:
//   fp32 (CPU, CUDA): PSNR >= 50 dB on the 8-bit scale of the output; fp16 (CUDA) >= 40 dB.
// The comparison is at the network: both sides get the same input tensor in the
// model's range (0..1, TransformerNet 0..255), Real-CUGAN's already reflect-padded by 18
// as its authors' code pads it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "backend/cpu/cpu_backend.h"
#include "engine/session.h"
#include "import/ncnn/ncnn_importer.h"
#include "models/photo_util.h"
#include "models/torch_oracle.h"
#include "unit/test_util.h"

using namespace toonbox::engine;
using namespace toonbox::backend;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

fs::path models_dir() { return test::shared_dir() / "models"; }

fs::path work_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("toonbox_ncnn_models_" + std::to_string(::getpid())) / name;
  fs::create_directories(d);
  return d;
}

struct NcnnCase {
  const char* label;
  const char* arch;  // ncnn_torch_run.py ARCH
  const char* param;
  const char* bin;
  float range;    // the model's full scale, in and out: 1 or 255
  int long_side;  // of the photo crop fed to the network
  int multiple;
  int reflect_pad;  // Real-CUGAN: 18 on every side, as upcunet_v3.py pads
};

constexpr NcnnCase kRealEsrX4{"realesr-animevideov3-x4",
                              "srvgg-x4",
                              "realesr-animevideov3-ncnn/realesr-animevideov3-x4.param",
                              "realesr-animevideov3-ncnn/realesr-animevideov3.bin",
                              1.f,
                              128,
                              1,
                              0};
constexpr NcnnCase kRealEsrX3{"realesr-animevideov3-x3",
                              "srvgg-x3",
                              "realesr-animevideov3-ncnn/realesr-animevideov3-x3.param",
                              "realesr-animevideov3-ncnn/realesr-animevideov3.bin",
                              1.f,
                              100,
                              1,
                              0};
constexpr NcnnCase kRealEsrX2{"realesr-animevideov3-x2",
                              "srvgg-x2",
                              "realesr-animevideov3-ncnn/realesr-animevideov3-x2.param",
                              "realesr-animevideov3-ncnn/realesr-animevideov3.bin",
                              1.f,
                              100,
                              1,
                              0};
constexpr NcnnCase kRealCugan2x{"realcugan-se-2x",
                                "cugan-2x",
                                "realcugan-se-ncnn/up2x-conservative.param",
                                "realcugan-se-ncnn/up2x-conservative.bin",
                                1.f,
                                96,
                                2,
                                18};
constexpr NcnnCase kCandy{"styletransfer-candy",
                          "transformer",
                          "style-transfer-ncnn/styletransfer.param.bin",
                          "style-transfer-ncnn/candy.bin",
                          255.f,
                          192,
                          4,
                          0};
constexpr NcnnCase kMosaic{"styletransfer-mosaic",
                           "transformer",
                           "style-transfer-ncnn/styletransfer.param.bin",
                           "style-transfer-ncnn/mosaic.bin",
                           255.f,
                           160,
                           4,
                           0};

// A photo area-averaged to `long_side`, as NCHW in [0, range], reflect-padded by `pad`.
Tensor photo_nchw(const char* photo, const NcnnCase& c) {
  const test::RgbImage img = test::read_jpeg(test::shared_dir() / "images" / photo);
  if (img.width == 0) return Tensor();
  const Tensor nhwc = test::photo_to_input(img, c.long_side, c.multiple);  // [-1, 1]
  const int64_t h = nhwc.dim(1), w = nhwc.dim(2), p = c.reflect_pad;
  const int64_t oh = h + 2 * p, ow = w + 2 * p;
  Tensor out(DType::kFloat32, {1, 3, oh, ow});
  auto reflect = [](int64_t i, int64_t n) { return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); };
  for (int64_t ch = 0; ch < 3; ++ch)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        const int64_t sy = reflect(y - p, h), sx = reflect(x - p, w);
        const float v = nhwc.data<float>()[(sy * w + sx) * 3 + ch];
        out.data<float>()[(ch * oh + y) * ow + x] = (v + 1.f) * 0.5f * c.range;
      }
  return out;
}

double psnr_8bit(const Tensor& a, const Tensor& b, float range) {
  double se = 0;
  const double k = 255.0 / range;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = (a.data<float>()[i] - b.data<float>()[i]) * k;
    se += d * d;
  }
  const double mse = se / static_cast<double>(a.numel());
  return mse == 0 ? 200.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

struct BackendParam {
  const char* name;  // Cpu, CudaFp32, CudaFp16
  Precision precision;
};

class NcnnModels : public ::testing::TestWithParam<BackendParam> {
 protected:
  void run_case(const NcnnCase& c, std::initializer_list<const char*> photos) {
    const fs::path param = models_dir() / c.param, bin = models_dir() / c.bin;
    if (!fs::exists(param) || !fs::exists(bin))
      GTEST_SKIP() << param << " or its .bin not found (the shared models folder is absent)";
    if (std::string why = test::torch_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
    std::shared_ptr<Backend> backend;
    if (std::string(GetParam().name) == "Cpu") {
      backend = cpu::create_cpu_backend();
    } else {
      std::string skip;
      backend = test::cuda_backend(&skip);
      if (!backend) GTEST_SKIP() << skip;
    }
    auto graph = ncnn::import_ncnn_model(param.string(), bin.string());
    ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
    Session session(std::move(graph).value(), backend, GetParam().precision);
    const double floor_db = GetParam().precision == Precision::kFloat16 ? 40.0 : 50.0;
    for (const char* photo : photos) {
      const Tensor x = photo_nchw(photo, c);
      ASSERT_FALSE(x.empty()) << photo;
      auto want =
          test::run_torch_ncnn(c.arch, param, bin, x, work_dir(std::string(c.label) + photo));
      ASSERT_TRUE(want.is_ok()) << want.status().to_string();
      auto got = session.run({x});
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      ASSERT_EQ(got->size(), 1u);
      ASSERT_EQ((*got)[0].shape(), want->shape()) << photo;
      const double psnr = psnr_8bit((*got)[0], *want, c.range);
      std::printf("[ measure ] ncnn %s %s %s %s: PSNR vs PyTorch %.2f dB\n", c.label,
                  GetParam().name, photo, shape_to_string(x.shape()).c_str(), psnr);
      EXPECT_GE(psnr, floor_db) << c.label << " " << photo;
    }
  }
};

TEST_P(NcnnModels, RealEsrAnimeVideoV3X4MatchesPyTorch) {
  run_case(kRealEsrX4, {"wb_london1.jpg", "wb_actress2.jpg"});
}
TEST_P(NcnnModels, RealEsrAnimeVideoV3X3MatchesPyTorch) { run_case(kRealEsrX3, {"wb_party5.jpg"}); }
TEST_P(NcnnModels, RealEsrAnimeVideoV3X2MatchesPyTorch) {
  run_case(kRealEsrX2, {"wb_liuyifei4.jpg"});
}
TEST_P(NcnnModels, RealCugan2xMatchesPyTorch) {
  run_case(kRealCugan2x, {"wb_london1.jpg", "wb_actress2.jpg"});
}
TEST_P(NcnnModels, TransformerNetCandyMatchesPyTorch) { run_case(kCandy, {"wb_party7.jpg"}); }
TEST_P(NcnnModels, TransformerNetMosaicMatchesPyTorch) { run_case(kMosaic, {"wb_mountain4.jpg"}); }

INSTANTIATE_TEST_SUITE_P(All, NcnnModels,
                         ::testing::Values(BackendParam{"Cpu", Precision::kFloat32},
                                           BackendParam{"CudaFp32", Precision::kFloat32},
                                           BackendParam{"CudaFp16", Precision::kFloat16}),
                         [](const auto& info) { return std::string(info.param.name); });

// Every shared ncnn model imports, with the inputs and outputs its authors' code uses.
TEST(NcnnModelImport, SharedModelsImportWithTheirBlobNames) {
  struct Expect {
    const NcnnCase* c;
    const char* input;
    const char* output;
  };
  for (const Expect& e :
       {Expect{&kRealEsrX4, "data", "output"}, Expect{&kRealEsrX3, "data", "output"},
        Expect{&kRealEsrX2, "data", "output"}, Expect{&kRealCugan2x, "in0", "out0"},
        Expect{&kCandy, "input1", "output1"}, Expect{&kMosaic, "input1", "output1"}}) {
    const fs::path param = models_dir() / e.c->param, bin = models_dir() / e.c->bin;
    if (!fs::exists(param))
      GTEST_SKIP() << param << " not found (the shared models folder is absent)";
    auto graph = ncnn::import_ncnn_model(param.string(), bin.string());
    ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
    ASSERT_EQ(graph->inputs().size(), 1u) << e.c->label;
    ASSERT_EQ(graph->outputs().size(), 1u) << e.c->label;
    EXPECT_EQ(graph->value(graph->inputs()[0]).name, e.input) << e.c->label;
    EXPECT_EQ(graph->value(graph->outputs()[0]).name, e.output) << e.c->label;
    auto info = ncnn::read_ncnn_model_info(param.string());
    ASSERT_TRUE(info.is_ok()) << info.status().to_string();
    EXPECT_TRUE(info->unsupported.empty()) << e.c->label;
  }
}

}  // namespace
}  // namespace toonbox
