// The TF.js layers-model importer on small synthetic Keras models: the numbers against
// this file's own loops written from the Keras/TF.js layer definitions (Conv2D with SAME
// padding and HWIO kernels, Concatenate, Add, UpscalerJS's MultiplyBeta and
// PixelShuffle<N>x = tf.depthToSpace NHWC, UpSampling2D), and every refusal's message.
// The real UpscalerJS models against TF.js itself are in tests/models.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "backend/cpu/cpu_backend.h"
#include "compile/specialize.h"
#include "engine/session.h"
#include "import/model_file.h"
#include "import/tfjs/tfjs_importer.h"
#include "import/tfjs_layers/tfjs_layers_importer.h"
#include "ops/reference.h"
#include "unit/tfjs_layers_test_util.h"
#include "unit/tfjs_test_util.h"

using namespace toonbox::compile;
using namespace toonbox::ops;

using namespace toonbox::engine;
using namespace toonbox::backend;
using namespace toonbox::import;

namespace toonbox {
namespace {

using test::LayersModelBuilder;
using test::TempDir;
using J = LayersModelBuilder::J;

std::vector<float> ramp(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<float>(i) * 0.7f + offset) * scale;
  return v;
}

// NHWC as a flat vector with its dims.
struct Image {
  int64_t h = 0, w = 0, c = 0;
  std::vector<double> v;
  double& at(int64_t y, int64_t x, int64_t ch) { return v[(y * w + x) * c + ch]; }
  double at(int64_t y, int64_t x, int64_t ch) const { return v[(y * w + x) * c + ch]; }
};

Image make_image(int64_t h, int64_t w, int64_t c) {
  return Image{h, w, c, std::vector<double>(h * w * c, 0.0)};
}

// Keras Conv2D, stride 1: SAME pads (k - 1) / 2 before (k odd), VALID none; HWIO kernel.
Image conv(const Image& x, int64_t k, int64_t f, const std::vector<float>& hwio,
           const std::vector<float>& bias, bool same, bool relu) {
  const int64_t pad = same ? (k - 1) / 2 : 0;
  const int64_t oh = same ? x.h : x.h - k + 1, ow = same ? x.w : x.w - k + 1;
  Image y = make_image(oh, ow, f);
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox)
      for (int64_t o = 0; o < f; ++o) {
        double s = bias.empty() ? 0.0 : bias[o];
        for (int64_t ky = 0; ky < k; ++ky)
          for (int64_t kx = 0; kx < k; ++kx) {
            const int64_t iy = oy + ky - pad, ix = ox + kx - pad;
            if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
            for (int64_t i = 0; i < x.c; ++i)
              s += x.at(iy, ix, i) * hwio[((ky * k + kx) * x.c + i) * f + o];
          }
        y.at(oy, ox, o) = relu ? std::max(0.0, s) : s;
      }
  return y;
}

Tensor to_tensor(const Image& img) {
  Tensor t(DType::kFloat32, {1, img.h, img.w, img.c});
  for (size_t i = 0; i < img.v.size(); ++i) t.data<float>()[i] = static_cast<float>(img.v[i]);
  return t;
}

double max_diff(const Tensor& got, const Image& want) {
  double m = 0;
  for (size_t i = 0; i < want.v.size(); ++i)
    m = std::max(m, std::abs(got.data<float>()[i] - want.v[i]));
  return m;
}

// Runs the imported model on the reference kernels and the CPU backend.
void expect_runs_like(const std::filesystem::path& dir, const Image& x, const Image& want,
                      double tol) {
  auto g = tfjs::import_tfjs_layers_model(dir.string());
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  const Tensor in = to_tensor(x);
  auto s = specialize(g.value(), {in.shape()});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto ref = reference_run(s.value(), {in});
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  ASSERT_EQ((*ref)[0].shape(), (Shape{1, want.h, want.w, want.c}));
  EXPECT_LE(max_diff((*ref)[0], want), tol) << "reference kernels";
  Session session(g.value(), std::shared_ptr<Backend>(cpu::create_cpu_backend()),
                  Precision::kFloat32);
  auto cpu = session.run({in});
  ASSERT_TRUE(cpu.is_ok()) << cpu.status().to_string();
  ASSERT_EQ((*cpu)[0].shape(), (Shape{1, want.h, want.w, want.c}));
  EXPECT_LE(max_diff((*cpu)[0], want), tol) << "cpu backend";
}

// An RRDN-like block: conv(relu) -> concat with the input -> 1x1 -> *beta -> + 1x1 of the
// input -> PixelShuffle2x.
LayersModelBuilder rrdn_like(const std::vector<float>& k1, const std::vector<float>& b1,
                             const std::vector<float>& k2, const std::vector<float>& b2,
                             const std::vector<float>& k3) {
  LayersModelBuilder b;
  b.input("LR", {-1, -1, -1, 2});
  b.conv2d("c1", "LR", 3, 3, 2, 3, k1, b1, "same", "relu");
  b.layer("Concatenate", "cat", {{"axis", 3}}, {"c1", "LR"});
  b.conv2d("c2", "cat", 1, 1, 5, 4, k2, b2, "valid");
  b.layer("MultiplyBeta", "beta", {{"beta", 0.2}}, {"c2"});
  b.conv2d("c3", "LR", 1, 1, 2, 4, k3, {}, "valid");
  b.layer("Add", "sum", J::object(), {"c3", "beta"});
  b.layer("PixelShuffle2x", "shuffle", {{"scale", 2}}, {"sum"});
  b.outputs({"shuffle"});
  return b;
}

TEST(TfjsLayers, ConvConcatBetaAddPixelShuffleMatchLoops) {
  const auto k1 = ramp(3 * 3 * 2 * 3, 0.5f, 0.f), b1 = ramp(3, 0.1f, 1.f);
  const auto k2 = ramp(5 * 4, 0.4f, 2.f), b2 = ramp(4, 0.2f, 3.f), k3 = ramp(2 * 4, 0.6f, 4.f);
  TempDir dir;
  rrdn_like(k1, b1, k2, b2, k3).write(dir.path());

  Image x = make_image(5, 7, 2);
  for (size_t i = 0; i < x.v.size(); ++i) x.v[i] = static_cast<float>(std::cos(i * 0.37));
  const Image c1 = conv(x, 3, 3, k1, b1, true, true);
  Image cat = make_image(5, 7, 5);
  for (int64_t y = 0; y < 5; ++y)
    for (int64_t xx = 0; xx < 7; ++xx)
      for (int64_t ch = 0; ch < 5; ++ch)
        cat.at(y, xx, ch) = ch < 3 ? c1.at(y, xx, ch) : x.at(y, xx, ch - 3);
  const Image c2 = conv(cat, 1, 4, k2, b2, false, false);
  const Image c3 = conv(x, 1, 4, k3, {}, false, false);
  // tf.depthToSpace NHWC: out[y*2+i][x*2+j][c] = in[y][x][(i*2+j)*C_out + c], C_out = 1.
  Image want = make_image(10, 14, 1);
  for (int64_t y = 0; y < 5; ++y)
    for (int64_t xx = 0; xx < 7; ++xx)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j) {
          const int64_t ch = i * 2 + j;
          want.at(y * 2 + i, xx * 2 + j, 0) = c3.at(y, xx, ch) + 0.2 * c2.at(y, xx, ch);
        }
  expect_runs_like(dir.path(), x, want, 1e-5);
}

TEST(TfjsLayers, GraphHasTheInputAndOutputNames) {
  TempDir dir;
  rrdn_like(ramp(54, 1, 0), ramp(3, 1, 0), ramp(20, 1, 0), ramp(4, 1, 0), ramp(8, 1, 0))
      .write(dir.path());
  auto g = tfjs::import_tfjs_layers_model((dir.path() / "model.json").string());
  ASSERT_TRUE(g.is_ok()) << g.status().to_string();
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->value(g->inputs()[0]).name, "LR");
  EXPECT_EQ(g->value(g->inputs()[0]).shape, (Shape{1, -1, -1, 2}));
  ASSERT_EQ(g->outputs().size(), 1u);
  EXPECT_EQ(g->value(g->outputs()[0]).name, "shuffle");
}

TEST(TfjsLayers, UpSamplingNearestAndBilinearAsTfjs) {
  for (const char* interpolation : {"nearest", "bilinear"}) {
    SCOPED_TRACE(interpolation);
    LayersModelBuilder b;
    b.input("in", {-1, -1, -1, 1});
    b.layer("UpSampling2D", "up",
            {{"size", {2, 3}}, {"interpolation", interpolation}, {"data_format", "channels_last"}},
            {"in"});
    b.outputs({"up"});
    TempDir dir;
    b.write(dir.path());
    Image x = make_image(3, 4, 1);
    for (size_t i = 0; i < x.v.size(); ++i)
      x.v[i] = static_cast<double>(static_cast<float>(i * i % 7) * 0.5f);
    Image want = make_image(6, 12, 1);
    // tf.image.resize*(x, [2h, 3w]) with align_corners = half_pixel_centers = false: source
    // coordinate out * in / out_size; nearest floors it, bilinear blends (edge-clamped).
    for (int64_t y = 0; y < 6; ++y)
      for (int64_t xx = 0; xx < 12; ++xx) {
        const double sy = y * 3.0 / 6.0, sx = xx * 4.0 / 12.0;
        if (std::string(interpolation) == "nearest") {
          want.at(y, xx, 0) =
              x.at(static_cast<int64_t>(std::floor(sy)), static_cast<int64_t>(std::floor(sx)), 0);
        } else {
          const int64_t y0 = static_cast<int64_t>(std::floor(sy)),
                        x0 = static_cast<int64_t>(std::floor(sx));
          const int64_t y1 = std::min<int64_t>(y0 + 1, 2), x1 = std::min<int64_t>(x0 + 1, 3);
          const double fy = sy - y0, fx = sx - x0;
          const double top = x.at(y0, x0, 0) * (1 - fx) + x.at(y0, x1, 0) * fx;
          const double bottom = x.at(y1, x0, 0) * (1 - fx) + x.at(y1, x1, 0) * fx;
          want.at(y, xx, 0) = top * (1 - fy) + bottom * fy;
        }
      }
    expect_runs_like(dir.path(), x, want, 1e-5);
  }
}

TEST(TfjsLayers, SequentialModelWithActivations) {
  LayersModelBuilder b;
  b.doc()["modelTopology"]["model_config"]["class_name"] = "Sequential";
  b.config().erase("input_layers");
  b.config().erase("output_layers");
  const auto k = ramp(3 * 3 * 1 * 2, 0.7f, 0.5f), bias = ramp(2, 0.3f, 0.2f);
  b.conv2d("conv", "", 3, 3, 1, 2, k, bias, "valid");
  b.layers()[0]["config"]["batch_input_shape"] = J::array({J(), J(), J(), 1});
  b.layers()[0]["inbound_nodes"] = J::array();
  b.layers()[0].erase("name");  // Sequential layers carry their name in the config
  b.layer("Activation", "act", {{"activation", "sigmoid"}}, {});
  b.layer("LeakyReLU", "leaky", {{"alpha", 0.1}}, {});
  TempDir dir;
  b.write(dir.path());
  Image x = make_image(4, 5, 1);
  for (size_t i = 0; i < x.v.size(); ++i) x.v[i] = static_cast<float>(std::sin(i * 1.3) * 2.0);
  Image want = conv(x, 3, 2, k, bias, false, false);
  for (double& v : want.v)
    v = 1.0 / (1.0 + std::exp(-v));  // sigmoid; then leaky (positive: unchanged)
  expect_runs_like(dir.path(), x, want, 1e-6);
}

TEST(TfjsLayers, ModelFileTellsLayersFromGraphModels) {
  TempDir layers_dir, graph_dir;
  rrdn_like(ramp(54, 1, 0), ramp(3, 1, 0), ramp(20, 1, 0), ramp(4, 1, 0), ramp(8, 1, 0))
      .write(layers_dir.path());
  test::TfjsModelBuilder g;
  g.placeholder("x", {1, -1, -1, 3});
  g.node("y", "Relu", {"x"});
  g.write(graph_dir.path());
  auto l = identify_model_file(layers_dir.str());
  ASSERT_TRUE(l.is_ok()) << l.status().to_string();
  EXPECT_EQ(l->format, "tfjs-layers");
  auto gr = identify_model_file((graph_dir.path() / "model.json").string());
  ASSERT_TRUE(gr.is_ok()) << gr.status().to_string();
  EXPECT_EQ(gr->format, "tfjs");
  EXPECT_TRUE(import_model_file(layers_dir.str()).is_ok());
  EXPECT_TRUE(import_model_file(graph_dir.str()).is_ok());
  // The graph importer handed a layers model says what it is.
  auto wrong = tfjs::import_tfjs_model(layers_dir.str());
  ASSERT_FALSE(wrong.is_ok());
  EXPECT_NE(wrong.status().message().find("layers model"), std::string::npos)
      << wrong.status().message();
  // Its files (for the registry's digests) are listed like a graph model's.
  auto files = tfjs::list_tfjs_model_files(layers_dir.str());
  ASSERT_TRUE(files.is_ok()) << files.status().to_string();
  EXPECT_EQ(files->shard_relative, (std::vector<std::string>{"group1-shard1of1.bin"}));
}

TEST(TfjsLayers, InfoCountsClassesAndNamesUnsupportedOnes) {
  LayersModelBuilder b =
      rrdn_like(ramp(54, 1, 0), ramp(3, 1, 0), ramp(20, 1, 0), ramp(4, 1, 0), ramp(8, 1, 0));
  b.layer("Mish", "m", J::object(), {"shuffle"});
  TempDir dir;
  b.write(dir.path());
  auto info = tfjs::read_tfjs_layers_model_info(dir.str());
  ASSERT_TRUE(info.is_ok()) << info.status().to_string();
  EXPECT_EQ(info->model_class, "Functional");
  EXPECT_EQ(info->keras_version, "2.10.0");
  EXPECT_EQ(info->class_counts.at("Conv2D"), 3);
  EXPECT_EQ(info->unsupported, (std::vector<std::string>{"Mish"}));
}

// ---- refusals ---------------------------------------------------------------------------

void expect_refused(const LayersModelBuilder& b, StatusCode code,
                    const std::vector<std::string>& fragments) {
  TempDir dir;
  b.write(dir.path());
  auto g = tfjs::import_tfjs_layers_model(dir.str());
  ASSERT_FALSE(g.is_ok()) << "imported a bad model";
  const std::string msg = g.status().message();
  EXPECT_EQ(g.status().code(), code) << g.status().to_string();
  EXPECT_EQ(msg.find((dir.path() / "model.json").string()), 0u)
      << "error does not start with the file: " << msg;
  for (const std::string& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << msg;
}

LayersModelBuilder tiny() {
  return rrdn_like(ramp(54, 1, 0), ramp(3, 1, 0), ramp(20, 1, 0), ramp(4, 1, 0), ramp(8, 1, 0));
}

TEST(TfjsLayersRefusals, UnknownClassesAreListedWithTheirLayers) {
  LayersModelBuilder b = tiny();
  b.layer("Foo", "f1", J::object(), {"shuffle"});
  b.layer("Bar", "b1", J::object(), {"f1"});
  b.layer("Foo", "f2", J::object(), {"b1"});
  b.weights().push_back(
      {{"name", "never/read"}, {"shape", {1000000}}, {"dtype", "float32"}});  // not read first
  expect_refused(b, StatusCode::kUnimplemented,
                 {"unsupported TF.js layers: Foo (layers 'f1', 'f2'), Bar (layer 'b1')",
                  "supported: Activation"});
}

TEST(TfjsLayersRefusals, KernelOfTheWrongShape) {
  LayersModelBuilder b = tiny();
  b.layers()[1]["config"]["kernel_size"] = {1, 1};  // c1 declares 1x1, stores 3x3
  expect_refused(b, StatusCode::kDataLoss,
                 {"layer 'c1' (Conv2D)",
                  "weight 'c1/kernel': got float32 [3,3,2,3], expected float32 [1,1,2,3]"});
}

TEST(TfjsLayersRefusals, KernelThatDoesNotFitTheInputChannels) {
  LayersModelBuilder b;
  b.input("in", {-1, -1, -1, 3});
  b.conv2d("c", "in", 1, 1, 2, 1, {1, 1}, {});
  b.outputs({"c"});
  expect_refused(b, StatusCode::kDataLoss, {"got float32 [1,1,2,1], expected float32 [1,1,3,1]"});
}

TEST(TfjsLayersRefusals, TruncatedAndLongShards) {
  LayersModelBuilder b = tiny();
  b.shard().resize(b.shard().size() - 6);
  expect_refused(b, StatusCode::kDataLoss, {"got 350 bytes, expected 356", "truncated"});
  LayersModelBuilder c = tiny();
  c.shard().push_back(0);
  expect_refused(c, StatusCode::kDataLoss, {"got 357 bytes, expected 356"});
}

TEST(TfjsLayersRefusals, MissingAndUnusedWeights) {
  LayersModelBuilder b = tiny();
  b.weights()[1]["name"] = "c1/bias_renamed";
  expect_refused(b, StatusCode::kDataLoss,
                 {"layer 'c1' (Conv2D): no weight 'c1/bias' in weightsManifest"});
  LayersModelBuilder c = tiny();
  c.weight("ghost/kernel", {2}, {1.f, 2.f});
  expect_refused(c, StatusCode::kDataLoss, {"1 weight(s) no layer uses: 'ghost/kernel'"});
}

TEST(TfjsLayersRefusals, BrokenConnections) {
  LayersModelBuilder b = tiny();
  b.layers()[2]["inbound_nodes"][0][1][0] = "nope";
  expect_refused(b, StatusCode::kDataLoss,
                 {"layer 'cat' (Concatenate) reads unknown layer 'nope'"});
  LayersModelBuilder cyc = tiny();
  cyc.layers()[1]["inbound_nodes"][0][0][0] = "sum";  // c1 reads sum, which reads c1
  expect_refused(cyc, StatusCode::kDataLoss, {"the layers form a cycle", "'c1'"});
  LayersModelBuilder shared = tiny();
  shared.layers()[1]["inbound_nodes"].push_back(J::array({J::array({"LR", 0, 0, J::object()})}));
  expect_refused(shared, StatusCode::kUnimplemented, {"layer 'c1' (Conv2D)", "called 2 times"});
  LayersModelBuilder keras3 = tiny();
  keras3.layers()[1]["inbound_nodes"][0] = {{"args", J::array()}, {"kwargs", J::object()}};
  expect_refused(keras3, StatusCode::kUnimplemented,
                 {"layer 'c1' (Conv2D)", "Keras 3 inbound nodes"});
  LayersModelBuilder second_output = tiny();
  second_output.layers()[2]["inbound_nodes"][0][0][2] = 1;
  expect_refused(second_output, StatusCode::kDataLoss,
                 {"reads [0, 1] of layer 'c1', expected [0, 0]"});
  LayersModelBuilder out = tiny();
  out.config()["output_layers"][0][0] = "missing";
  expect_refused(out, StatusCode::kDataLoss,
                 {"output_layers names 'missing', which is not a layer"});
}

TEST(TfjsLayersRefusals, BadConfigValues) {
  LayersModelBuilder b = tiny();
  b.layers()[1]["config"]["strides"] = "2";
  expect_refused(b, StatusCode::kDataLoss,
                 {"layer 'c1' (Conv2D): config 'strides': got \"2\", expected two integers"});
  LayersModelBuilder f = tiny();
  f.layers()[1]["config"]["filters"] = -3;
  expect_refused(f, StatusCode::kDataLoss, {"config 'filters': got -3, expected an integer 1.."});
  LayersModelBuilder cf = tiny();
  cf.layers()[1]["config"]["data_format"] = "channels_first";
  expect_refused(cf, StatusCode::kUnimplemented,
                 {"layer 'c1' (Conv2D): data_format 'channels_first'"});
  LayersModelBuilder pad = tiny();
  pad.layers()[1]["config"]["padding"] = "causal";
  expect_refused(pad, StatusCode::kUnimplemented, {"padding 'causal'"});
  LayersModelBuilder act = tiny();
  act.layers()[1]["config"]["activation"] = "swish";
  expect_refused(act, StatusCode::kUnimplemented, {"activation 'swish' (supported: linear, relu"});
  LayersModelBuilder axis = tiny();
  axis.layers()[2]["config"]["axis"] = 1;
  expect_refused(axis, StatusCode::kUnimplemented, {"concatenation along axis 1"});
  LayersModelBuilder beta = tiny();
  beta.layers()[4]["config"]["beta"] = "0.2";
  expect_refused(beta, StatusCode::kDataLoss,
                 {"layer 'beta' (MultiplyBeta): config 'beta': got \"0.2\""});
}

TEST(TfjsLayersRefusals, ShapesThatDoNotFit) {
  LayersModelBuilder b = tiny();
  b.layers()[7]["class_name"] = "PixelShuffle3x";
  b.layers()[7]["config"]["scale"] = 3;
  expect_refused(
      b, StatusCode::kDataLoss,
      {"layer 'shuffle' (PixelShuffle3x): got 4 input channels, expected a multiple of 9"});
  LayersModelBuilder s = tiny();
  s.layers()[7]["config"]["scale"] = 4;
  expect_refused(s, StatusCode::kDataLoss,
                 {"config 'scale': got 4, expected 2 (the class name's)"});
  LayersModelBuilder add = tiny();
  add.layers()[6]["inbound_nodes"][0][0][0] = "LR";  // 2 channels + 4 channels
  expect_refused(add, StatusCode::kDataLoss,
                 {"layer 'sum' (Add): got inputs with 2 and 4 channels"});
  LayersModelBuilder rank = tiny();
  rank.layers()[0]["config"]["batch_input_shape"] = J::array({J(), 8, 2});
  expect_refused(rank, StatusCode::kUnimplemented,
                 {"layer 'LR' (InputLayer): input shape [?,8,2]"});
  LayersModelBuilder dtype = tiny();
  dtype.layers()[0]["config"]["dtype"] = "int32";
  expect_refused(dtype, StatusCode::kUnimplemented, {"dtype 'int32'"});
}

TEST(TfjsLayersRefusals, DocumentLevelProblems) {
  LayersModelBuilder b = tiny();
  b.doc()["modelTopology"]["model_config"]["class_name"] = "Subclassed";
  expect_refused(b, StatusCode::kUnimplemented, {"model class 'Subclassed' is not supported"});
  LayersModelBuilder dup = tiny();
  dup.layers()[2]["name"] = "c1";
  dup.layers()[2]["config"]["name"] = "c1";
  expect_refused(dup, StatusCode::kDataLoss, {"two layers are named 'c1'"});
  LayersModelBuilder none = tiny();
  none.layers() = J::array();
  expect_refused(none, StatusCode::kDataLoss, {"the model has no layers"});
  LayersModelBuilder graph = tiny();
  graph.doc()["format"] = "graph-model";
  expect_refused(graph, StatusCode::kUnimplemented, {"not a layers model"});
  LayersModelBuilder not_input = tiny();
  not_input.config()["input_layers"][0][0] = "c1";
  expect_refused(not_input, StatusCode::kDataLoss,
                 {"input_layers names layer 'c1' (Conv2D), expected an InputLayer"});
}

TEST(TfjsLayersRefusals, TooManyLayers) {
  LayersModelBuilder b;
  b.input("in", {-1, -1, -1, 1});
  std::string prev = "in";
  for (int i = 0; i < 100001; ++i) {
    const std::string name = "a" + std::to_string(i);
    b.layers().push_back(
        {{"class_name", "Activation"},
         {"config", {{"activation", "relu"}}},
         {"name", name},
         {"inbound_nodes", J::array({J::array({J::array({prev, 0, 0, J::object()})})})}});
    prev = name;
  }
  b.outputs({prev});
  expect_refused(b, StatusCode::kDataLoss, {"got 100002 layers, expected at most 100000"});
}

}  // namespace
}  // namespace toonbox
