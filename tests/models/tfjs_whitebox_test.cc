// The White-box Cartoonization generator (TF.js float16 and uint8 exports) imported by
// toonbox and run with the reference kernels and the CPU backend, against TensorFlow.js
// itself (pure-JS CPU backend, tests/oracles/tfjs_run.mjs) on the same real photos.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "backend/cpu/cpu_backend.h"
#include "compile/specialize.h"
#include "engine/session.h"
#include "import/tfjs/tfjs_importer.h"
#include "models/photo_util.h"
#include "ops/op_defs.h"
#include "ops/reference.h"
#include "unit/tfjs_test_util.h"

using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

constexpr double kMaxAbsError = 1e-3;
constexpr int kLongSide = 128;  // about 4 s per TF.js run; keeps the suite at a few minutes

fs::path oracle_dir() { return fs::path(TOONBOX_SOURCE_DIR) / "tests" / "oracles"; }

fs::path model_dir(const std::string& format) {
  return test::shared_dir() / "models" / "whitebox-cartoon" / format;
}

// Why the oracle cannot run here, or "" when it can.
std::string oracle_missing() {
  if (std::system("node --version > /dev/null 2>&1") != 0) return "node is not installed";
  if (!fs::exists(oracle_dir() / "node_modules" / "@tensorflow" / "tfjs" / "package.json"))
    return "@tensorflow/tfjs is not installed (run `npm install` in " + oracle_dir().string() + ")";
  return "";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double max_abs_error(const Tensor& got, const std::vector<float>& want) {
  double m = 0;
  for (int64_t i = 0; i < got.numel(); ++i)
    m = std::max(m, std::abs(static_cast<double>(got.data<float>()[i]) - want[i]));
  return m;
}

// Runs the TF.js oracle on `x`; returns its output, or an empty vector with `error` set.
std::vector<float> run_tfjs(const fs::path& model, const Tensor& x, const fs::path& work,
                            std::string* error) {
  const fs::path in = work / "input.f32", out = work / "output.f32", log = work / "tfjs.log";
  std::ofstream(in, std::ios::binary)
      .write(static_cast<const char*>(x.raw()), static_cast<std::streamsize>(x.nbytes()));
  const std::string shape = std::to_string(x.dim(0)) + "," + std::to_string(x.dim(1)) + "," +
                            std::to_string(x.dim(2)) + "," + std::to_string(x.dim(3));
  const std::string cmd = "node '" + (oracle_dir() / "tfjs_run.mjs").string() + "' '" +
                          model.string() + "' '" + in.string() + "' " + shape + " '" +
                          out.string() + "' > '" + log.string() + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream l(log);
    *error =
        "TF.js oracle failed: " + cmd + "\n" + std::string(std::istreambuf_iterator<char>(l), {});
    return {};
  }
  std::ifstream o(out, std::ios::binary);
  std::vector<float> v(static_cast<size_t>(x.numel()));
  o.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  if (o.gcount() != static_cast<std::streamsize>(v.size() * 4)) {
    *error = "TF.js output has " + std::to_string(o.gcount()) + " bytes, expected " +
             std::to_string(v.size() * 4);
    return {};
  }
  return v;
}

TEST(TfjsWhitebox, ImportsAndFoldsToComputeOps) {
  for (const char* format : {"tfjs-float16", "tfjs-uint8"}) {
    SCOPED_TRACE(format);
    const fs::path dir = model_dir(format);
    if (!fs::exists(dir / "model.json")) GTEST_SKIP() << "model not found: " << dir;
    auto g = tfjs::import_tfjs_model(dir.string());
    ASSERT_TRUE(g.is_ok()) << g.status().to_string();
    ASSERT_EQ(g->inputs().size(), 1u);
    EXPECT_EQ(g->value(g->inputs()[0]).name, "input_photo");
    EXPECT_EQ(g->value(g->inputs()[0]).shape, (Shape{1, -1, -1, 3}));
    ASSERT_EQ(g->outputs().size(), 1u);
    EXPECT_EQ(g->value(g->outputs()[0]).name, "final_output");
    auto s = specialize(g.value(), {{1, 64, 40, 3}});
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    for (const Node& n : s->nodes()) EXPECT_FALSE(is_shape_op(n.kind)) << n.name;
    EXPECT_EQ(s->value(s->outputs()[0]).shape, (Shape{1, 64, 40, 3}));
  }
}

struct Case {
  const char* format;
  const char* photo;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.format << " " << c.photo; }

class TfjsWhiteboxVsTfjs : public ::testing::TestWithParam<Case> {};

TEST_P(TfjsWhiteboxVsTfjs, MatchesTensorFlowJs) {
  const Case c = GetParam();
  const fs::path model = model_dir(c.format), photo = test::shared_dir() / "images" / c.photo;
  if (!fs::exists(model / "model.json")) GTEST_SKIP() << "model not found: " << model;
  if (!fs::exists(photo)) GTEST_SKIP() << "photo not found: " << photo;
  if (const std::string why = oracle_missing(); !why.empty())
    GTEST_SKIP() << "no TF.js oracle: " << why;

  const test::RgbImage img = test::read_jpeg(photo);
  ASSERT_GT(img.width, 0) << "cannot decode " << photo;
  const Tensor x = test::photo_to_input(img, kLongSide, 8);

  test::TempDir work;
  auto t0 = std::chrono::steady_clock::now();
  std::string error;
  const std::vector<float> want = run_tfjs(model, x, work.path(), &error);
  ASSERT_FALSE(want.empty()) << error;
  const double tfjs_s = seconds_since(t0);
  // A cartoon of a photo spans most of [-1, 1]; a flat output would make any match moot.
  const auto [lo, hi] = std::minmax_element(want.begin(), want.end());
  ASSERT_GT(*hi - *lo, 0.5f) << "TF.js output is nearly constant";

  auto g = tfjs::import_tfjs_model(model.string());
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();

  t0 = std::chrono::steady_clock::now();
  auto s = specialize(g.value(), {x.shape()});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto ref = reference_run(s.value(), {x});
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  const double ref_s = seconds_since(t0);
  ASSERT_EQ((*ref)[0].shape(), x.shape());
  const double ref_err = max_abs_error((*ref)[0], want);

  t0 = std::chrono::steady_clock::now();
  Session session(g.value(), std::shared_ptr<Backend>(cpu::create_cpu_backend()),
                  Precision::kFloat32);
  auto cpu = session.run({x});
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  const double cpu_s = seconds_since(t0);
  ASSERT_EQ((*cpu)[0].shape(), x.shape());
  const double cpu_err = max_abs_error((*cpu)[0], want);

  std::cout << "[ tfjs-oracle ] " << c.format << " " << c.photo << " " << x.dim(2) << "x"
            << x.dim(1) << ": max|err| reference " << ref_err << ", cpu backend " << cpu_err
            << " (TF.js " << tfjs_s << " s, reference " << ref_s << " s, cpu " << cpu_s << " s)\n";
  RecordProperty("max_abs_error_reference", std::to_string(ref_err));
  RecordProperty("max_abs_error_cpu", std::to_string(cpu_err));
  EXPECT_LE(ref_err, kMaxAbsError);
  EXPECT_LE(cpu_err, kMaxAbsError);
}

INSTANTIATE_TEST_SUITE_P(Photos, TfjsWhiteboxVsTfjs,
                         ::testing::Values(Case{"tfjs-float16", "wb_actress2.jpg"},
                                           Case{"tfjs-float16", "wb_party5.jpg"},
                                           Case{"tfjs-float16", "gfpgan_Blake_Lively.jpg"},
                                           Case{"tfjs-uint8", "wb_actress2.jpg"},
                                           Case{"tfjs-uint8", "wb_party5.jpg"},
                                           Case{"tfjs-uint8", "gfpgan_Blake_Lively.jpg"}),
                         [](const auto& info) {
                           std::string name =
                               std::string(info.param.format) + "_" + info.param.photo;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace toonbox
