// The UpscalerJS upscalers (npm @upscalerjs/esrgan-slim, -medium, -thick and
// default-model 1.0.0: TF.js layers models, RDN and RRDN) through toonbox's layers
// importer, against TensorFlow.js itself running the same files with the packages' own
// custom-layer code (tests/oracles/tfjs_layers_run.mjs), on real photo crops:
//   fp32 (CPU, CUDA): PSNR >= 50 dB on the 8-bit scale of the output; fp16 (CUDA) >= 40 dB.
// TF.js's outputs are cached ($TOONBOX_UPSCALERJS_ORACLE_CACHE or $TMPDIR), so a GPU
// machine without Node runs the CUDA rows against outputs computed here.
// And the registry's contract against the packages: every model is identified by its
// digests with the scale and value range its package's definition declares, and the
// packages' published sample (assets/samples/<N>x/result.png, the fixture upscaled by
// UpscalerJS) is reproduced through that contract.
//
// The packages come from `npm pack` (tests/oracles/fetch_upscalerjs.sh, run by
// scripts/install-deps) into tests/oracles/upscalerjs (or $TOONBOX_UPSCALERJS_DIR); the
// tests skip, saying so, when they are absent.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "backend/cpu/cpu_backend.h"
#include "compile/specialize.h"
#include "engine/session.h"
#include "image/image_io.h"
#include "import/model_file.h"
#include "import/tfjs_layers/tfjs_layers_importer.h"
#include "models/photo_util.h"
#include "models/registry.h"
#include "ops/op_defs.h"
#include "unit/test_util.h"

using namespace toonbox::models;
using namespace toonbox::image;
using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::import;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

fs::path oracle_dir() { return fs::path(TOONBOX_SOURCE_DIR) / "tests" / "oracles"; }

fs::path packages_dir() {
  if (const char* env = std::getenv("TOONBOX_UPSCALERJS_DIR"); env && *env) return env;
  return oracle_dir() / "upscalerjs";
}

struct UpscalerCase {
  const char* name;     // the registry's
  const char* package;  // folder under packages_dir()
  int scale;
  float range;  // the network's full scale, in and out: 255 (RDN) or 1 (RRDN)
  int side;     // of the square photo crop fed to the network (TF.js is slow on thick)
  fs::path model() const {
    const fs::path p = packages_dir() / package / "package" / "models";
    return std::string(package) == "default-model" ? p : p / ("x" + std::to_string(scale));
  }
  // The package's own CommonJS model definition (its setup() registers the custom layers).
  fs::path definition() const {
    const fs::path src =
        packages_dir() / package / "package" / "dist" / "cjs" / "models" / package / "src";
    return std::string(package) == "default-model"
               ? src / "index.js"
               : src / ("x" + std::to_string(scale)) / "index.js";
  }
  fs::path sample() const {
    return packages_dir() / package / "package" / "assets" / "samples" /
           (std::to_string(scale) + "x") / "result.png";
  }
};

void PrintTo(const UpscalerCase& c, std::ostream* os) { *os << c.name; }

const std::vector<UpscalerCase>& cases() {
  static const std::vector<UpscalerCase> v = {
      {"esrgan-slim-x2", "esrgan-slim", 2, 255.f, 64},
      {"esrgan-slim-x3", "esrgan-slim", 3, 255.f, 64},
      {"esrgan-slim-x4", "esrgan-slim", 4, 255.f, 64},
      {"esrgan-slim-x8", "esrgan-slim", 8, 255.f, 48},
      {"esrgan-medium-x2", "esrgan-medium", 2, 255.f, 48},
      {"esrgan-medium-x3", "esrgan-medium", 3, 255.f, 48},
      {"esrgan-medium-x4", "esrgan-medium", 4, 255.f, 48},
      {"esrgan-medium-x8", "esrgan-medium", 8, 255.f, 40},
      {"esrgan-thick-x2", "esrgan-thick", 2, 1.f, 32},
      {"esrgan-thick-x3", "esrgan-thick", 3, 1.f, 32},
      {"esrgan-thick-x4", "esrgan-thick", 4, 1.f, 32},
      {"esrgan-thick-x8", "esrgan-thick", 8, 1.f, 24},
      // default-model is byte-identical to esrgan-slim x2, so the registry names it so.
      {"esrgan-slim-x2", "default-model", 2, 255.f, 64},
  };
  return v;
}

std::string case_name(const UpscalerCase& c) {
  std::string s = std::string(c.package) + "_x" + std::to_string(c.scale);
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

std::string packages_missing(const UpscalerCase& c) {
  if (fs::exists(c.model() / "model.json")) return "";
  return "UpscalerJS package not found: " + c.model().string() +
         " (run tests/oracles/fetch_upscalerjs.sh, which needs the npm registry)";
}

std::string oracle_missing() {
  if (std::system("node --version > /dev/null 2>&1") != 0) return "node is not installed";
  if (!fs::exists(oracle_dir() / "node_modules" / "@tensorflow" / "tfjs" / "package.json"))
    return "@tensorflow/tfjs is not installed (run `npm install` in " + oracle_dir().string() + ")";
  return "";
}

// The crops: the packages' own fixture (a 128 px flower photo) and, with the shared
// folder, a portrait photo; as NHWC float in [0, range].
struct Crop {
  std::string label;
  Tensor x;
};

Tensor rgb_crop(const std::vector<uint8_t>& rgb, int width, int height, int side, float range) {
  const int w = std::min(side, width), h = std::min(side, height);
  const int x0 = (width - w) / 2, y0 = (height - h) / 2;
  Tensor t(DType::kFloat32, {1, h, w, 3});
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        t.data<float>()[(static_cast<size_t>(y) * w + x) * 3 + c] =
            rgb[(static_cast<size_t>(y + y0) * width + x + x0) * 3 + c] * range / 255.f;
  return t;
}

std::vector<Crop> crops(const UpscalerCase& c) {
  std::vector<Crop> out;
  auto fixture = read_image_file(
      (packages_dir() / c.package / "package" / "assets" / "fixture.png").string(), {});
  if (fixture.is_ok())
    out.push_back(
        {"fixture.png", rgb_crop(fixture->rgb, fixture->width, fixture->height, c.side, c.range)});
  const fs::path photo = test::shared_dir() / "images" / "wb_actress2.jpg";
  const test::RgbImage img = test::read_jpeg(photo);
  if (img.width > 0) {
    // Area-averaged so the face fills the crop; photo_to_input gives [-1, 1].
    const Tensor small = test::photo_to_input(img, c.side * 2, 1);
    std::vector<uint8_t> rgb(static_cast<size_t>(small.numel()));
    for (int64_t i = 0; i < small.numel(); ++i)
      rgb[i] = static_cast<uint8_t>(std::lround((small.data<float>()[i] + 1.f) * 127.5f));
    out.push_back({"wb_actress2.jpg", rgb_crop(rgb, static_cast<int>(small.dim(2)),
                                               static_cast<int>(small.dim(1)), c.side, c.range)});
  }
  return out;
}

uint64_t fnv1a(const void* data, size_t n, uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

struct OracleResult {
  Tensor y;
  nlohmann::json
      info;  // {"shape", "inputRange", "outputRange", "scale"} from the package definition
};

// Where TF.js's outputs are kept: $TOONBOX_UPSCALERJS_ORACLE_CACHE (e.g. a copy carried to
// a GPU machine without Node), else the system temp folder.
fs::path oracle_cache_dir() {
  if (const char* env = std::getenv("TOONBOX_UPSCALERJS_ORACLE_CACHE"); env && *env) return env;
  return fs::temp_directory_path() / "toonbox_upscalerjs_oracle";
}

// TF.js on `x`, cached on disk by model, input and oracle script (the CPU and CUDA
// variants run in separate processes under CTest; thick takes ~20 s a run here). An
// empty result with `skip` set: not cached and no Node/TF.js to compute it.
Result<OracleResult> run_tfjs(const UpscalerCase& c, const Tensor& x, std::string* skip) {
  std::ifstream script(oracle_dir() / "tfjs_layers_run.mjs", std::ios::binary);
  const std::string code((std::istreambuf_iterator<char>(script)), {});
  uint64_t key = fnv1a(code.data(), code.size());
  key = fnv1a(x.raw(), static_cast<size_t>(x.nbytes()), key);
  const std::string tag = case_name(c) + "_" + std::to_string(x.dim(1)) + "x" +
                          std::to_string(x.dim(2)) + "_" + std::to_string(key);
  const fs::path cache = oracle_cache_dir();
  fs::create_directories(cache);
  const fs::path out = cache / (tag + ".f32"), info = cache / (tag + ".json");
  if (!fs::exists(out) || !fs::exists(info)) {
    if (std::string why = oracle_missing(); !why.empty()) {
      *skip = "no TF.js oracle and no cached output " + out.string() + ": " + why;
      return OracleResult{};
    }
    const fs::path work = cache / (tag + "." + std::to_string(::getpid()));
    fs::create_directories(work);
    const fs::path in = work / "input.f32", log = work / "tfjs.log";
    std::ofstream(in, std::ios::binary)
        .write(static_cast<const char*>(x.raw()), static_cast<std::streamsize>(x.nbytes()));
    const std::string shape =
        "1," + std::to_string(x.dim(1)) + "," + std::to_string(x.dim(2)) + ",3";
    const std::string cmd = "node '" + (oracle_dir() / "tfjs_layers_run.mjs").string() + "' '" +
                            c.model().string() + "' '" + in.string() + "' " + shape + " '" +
                            (work / "out.f32").string() + "' '" + c.definition().string() +
                            "' > '" + (work / "info.json").string() + "' 2> '" + log.string() + "'";
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream l(log);
      return internal_error("TF.js oracle failed: " + cmd + "\n" +
                            std::string(std::istreambuf_iterator<char>(l), {}));
    }
    // Renamed into place so a concurrent run never reads a partial file.
    fs::rename(work / "out.f32", out);
    fs::rename(work / "info.json", info);
    fs::remove_all(work);
  }
  OracleResult r;
  std::ifstream ji(info);
  r.info = nlohmann::json::parse(ji, nullptr, false);
  if (r.info.is_discarded() || !r.info.contains("shape"))
    return internal_error("bad oracle output " + info.string());
  Shape shape;
  for (const auto& d : r.info["shape"]) shape.push_back(d.get<int64_t>());
  r.y = Tensor(DType::kFloat32, shape);
  std::ifstream o(out, std::ios::binary);
  o.read(static_cast<char*>(r.y.raw()), static_cast<std::streamsize>(r.y.nbytes()));
  if (o.gcount() != static_cast<std::streamsize>(r.y.nbytes()))
    return internal_error("short oracle output " + out.string());
  return r;
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

class UpscalerJsVsTfjs : public ::testing::TestWithParam<std::tuple<UpscalerCase, BackendParam>> {};

TEST_P(UpscalerJsVsTfjs, MatchesTensorFlowJs) {
  const auto& [c, be] = GetParam();
  if (std::string why = packages_missing(c); !why.empty()) GTEST_SKIP() << why;
  std::shared_ptr<Backend> backend;
  if (std::string(be.name) == "Cpu") {
    backend = cpu::create_cpu_backend();
  } else {
    std::string skip;
    backend = test::cuda_backend(&skip);
    if (!backend) GTEST_SKIP() << skip;
  }
  auto graph = tfjs::import_tfjs_layers_model(c.model().string());
  ASSERT_TRUE(graph.is_ok()) << graph.status().to_string();
  Session session(std::move(graph).value(), backend, be.precision);
  const double floor_db = be.precision == Precision::kFloat16 ? 40.0 : 50.0;
  const std::vector<Crop> inputs = crops(c);
  ASSERT_FALSE(inputs.empty()) << "cannot read the package's fixture.png";
  for (const Crop& crop : inputs) {
    auto t0 = std::chrono::steady_clock::now();
    std::string skip;
    auto want = run_tfjs(c, crop.x, &skip);
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    if (!skip.empty()) GTEST_SKIP() << skip;
    const double tfjs_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The package's definition declares the range the registry must record.
    ASSERT_TRUE(want->info["inputRange"].is_array()) << want->info.dump();
    EXPECT_EQ(want->info["inputRange"][1].get<double>(), c.range) << want->info.dump();
    EXPECT_EQ(want->info["outputRange"][1].get<double>(), c.range) << want->info.dump();
    EXPECT_EQ(want->info["scale"].get<int>(), c.scale);
    const Shape expected = {1, crop.x.dim(1) * c.scale, crop.x.dim(2) * c.scale, 3};
    ASSERT_EQ(want->y.shape(), expected);
    const auto [lo, hi] =
        std::minmax_element(want->y.data<float>(), want->y.data<float>() + want->y.numel());
    ASSERT_GT(*hi - *lo, 0.3f * c.range) << "TF.js output is nearly constant";
    t0 = std::chrono::steady_clock::now();
    auto got = session.run({crop.x});
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    const double run_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ((*got)[0].shape(), expected);
    const double psnr = psnr_8bit((*got)[0], want->y, c.range);
    double max_err = 0;
    for (int64_t i = 0; i < want->y.numel(); ++i)
      max_err = std::max<double>(max_err,
                                 std::abs((*got)[0].data<float>()[i] - want->y.data<float>()[i]));
    std::printf(
        "[ measure ] upscalerjs %s (%s) %s %s %s: PSNR vs TF.js %.2f dB, max |err| %.3g "
        "(out[0] %.9g vs %.9g; TF.js %.1f s, toonbox %.2f s)\n",
        c.name, c.package, be.name, crop.label.c_str(), shape_to_string(crop.x.shape()).c_str(),
        psnr, max_err, (*got)[0].data<float>()[0], want->y.data<float>()[0], tfjs_s, run_s);
    RecordProperty("psnr_" + crop.label, std::to_string(psnr));
    EXPECT_GE(psnr, floor_db) << c.name << " " << crop.label;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Packages, UpscalerJsVsTfjs,
    ::testing::Combine(::testing::ValuesIn(cases()),
                       ::testing::Values(BackendParam{"Cpu", Precision::kFloat32},
                                         BackendParam{"CudaFp32", Precision::kFloat32},
                                         BackendParam{"CudaFp16", Precision::kFloat16})),
    [](const auto& info) {
      return case_name(std::get<0>(info.param)) + "_" + std::get<1>(info.param).name;
    });

// Every package model imports, binds any size to scale x that size with compute ops only,
// and is the registry's model of that name by digest, with the package's contract.
TEST(UpscalerJsModels, ImportAndAreKnownByDigest) {
  int checked = 0;
  for (const UpscalerCase& c : cases()) {
    SCOPED_TRACE(case_name(c));
    if (!packages_missing(c).empty()) continue;
    auto file = identify_model_file(c.model().string());
    ASSERT_TRUE(file.is_ok()) << file.status().to_string();
    EXPECT_EQ(file->format, "tfjs-layers");
    auto g = import_model_file(file.value());
    ASSERT_TRUE(g.is_ok()) << g.status().to_string();
    ASSERT_EQ(g->inputs().size(), 1u);
    EXPECT_EQ(g->value(g->inputs()[0]).shape, (Shape{1, -1, -1, 3}));
    ASSERT_EQ(g->outputs().size(), 1u);
    EXPECT_EQ(g->value(g->outputs()[0]).name, "SR");
    auto s = specialize(g.value(), {{1, 10, 13, 3}});
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    for (const Node& n : s->nodes()) EXPECT_FALSE(is_shape_op(n.kind)) << n.name;
    EXPECT_EQ(s->value(s->outputs()[0]).shape, (Shape{1, 10 * c.scale, 13 * c.scale, 3}));

    auto files = model_files(file.value());
    ASSERT_TRUE(files.is_ok()) << files.status().to_string();
    auto digests = file_digests(files.value());
    ASSERT_TRUE(digests.is_ok()) << digests.status().to_string();
    const KnownModel* k = identify_known_model(digests.value(), file->format);
    ASSERT_NE(k, nullptr) << "not identified by digest";
    EXPECT_STREQ(k->name, c.name);
    EXPECT_EQ(k->role, ModelRole::kImageModel);
    EXPECT_STREQ(k->licence, "MIT");
    EXPECT_EQ(k->contract.scale, c.scale);
    EXPECT_EQ(k->contract.layout, Layout::kNHWC);
    EXPECT_EQ(k->contract.channels, ChannelOrder::kRgb);
    EXPECT_EQ(k->contract.input_range.lo, 0.f);
    EXPECT_EQ(k->contract.input_range.hi, c.range);
    EXPECT_EQ(k->contract.output_range.hi, c.range);
    EXPECT_EQ(k->contract.size_multiple, 1);
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << packages_missing(cases()[0]);
}

// The package's published sample (UpscalerJS's own upscale of assets/fixture.png) against
// toonbox on the CPU through the registry's contract: RGB 8-bit * range / 255 in, the
// output clipped to [0, range] and scaled back, as upscaler's tensor-utils does. A wrong
// range (0..1 fed to an RDN, or 0..255 to an RRDN) gives a dark or washed-out picture
// far below this floor.
TEST(UpscalerJsModels, ReproducesThePublishedSamples) {
  int checked = 0;
  for (const UpscalerCase& c : cases()) {
    SCOPED_TRACE(case_name(c));
    if (!packages_missing(c).empty() || !fs::exists(c.sample())) continue;
    auto fixture = read_image_file(
        (packages_dir() / c.package / "package" / "assets" / "fixture.png").string(), {});
    ASSERT_TRUE(fixture.is_ok()) << fixture.status().to_string();
    auto sample = read_image_file(c.sample().string(), {});
    ASSERT_TRUE(sample.is_ok()) << sample.status().to_string();
    ASSERT_EQ(sample->width, fixture->width * c.scale);
    const KnownModel* k = find_known_model(c.name);
    ASSERT_NE(k, nullptr);
    const float range = k->contract.input_range.hi;
    const Tensor x = rgb_crop(fixture->rgb, fixture->width, fixture->height, fixture->width, range);
    auto g = tfjs::import_tfjs_layers_model(c.model().string());
    ASSERT_TRUE(g.is_ok()) << g.status().to_string();
    Session session(std::move(g).value(), std::shared_ptr<Backend>(cpu::create_cpu_backend()),
                    Precision::kFloat32);
    auto y = session.run({x});
    ASSERT_TRUE(y.is_ok()) << y.status().to_string();
    ASSERT_EQ((*y)[0].numel(), static_cast<int64_t>(sample->rgb.size()));
    double se = 0;
    for (int64_t i = 0; i < (*y)[0].numel(); ++i) {
      const double v =
          std::clamp<double>((*y)[0].data<float>()[i], 0.0, k->contract.output_range.hi) * 255.0 /
          k->contract.output_range.hi;
      const double d = std::round(v) - sample->rgb[static_cast<size_t>(i)];
      se += d * d;
    }
    const double psnr = 10 * std::log10(255.0 * 255.0 / std::max(se / (*y)[0].numel(), 1e-12));
    std::printf(
        "[ measure ] upscalerjs %s (%s): PSNR vs the package's published %dx sample %.2f dB\n",
        c.name, c.package, c.scale, psnr);
    EXPECT_GE(psnr, 30.0) << c.sample();
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << packages_missing(cases()[0]);
}

}  // namespace
}  // namespace toonbox
