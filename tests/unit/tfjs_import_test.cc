// The TF.js importer on small synthetic models: each graph is written to disk the way
// the TF.js converter writes it, imported, specialized and run with the reference
// kernels, and checked against TF's definitions computed directly in the test.
#include <gtest/gtest.h>

#include <cmath>

#include "compile/specialize.h"
#include "import/tfjs/tfjs_importer.h"
#include "ops/reference.h"
#include "unit/test_util.h"
#include "unit/tfjs_test_util.h"

using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

using test::attr_b;
using test::attr_f;
using test::attr_i;
using test::attr_ints;
using test::attr_s;
using test::attr_strs;
using test::attr_type;
using test::conv_attrs;
using test::OJson;
using test::TempDir;
using test::TfjsModelBuilder;
using test::WeightFormat;

std::vector<float> ramp(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = std::sin(static_cast<float>(i) * 1.3f + 0.2f) * scale + offset;
  return v;
}

Tensor nhwc(Shape shape, const std::vector<float>& v) {
  return Tensor::from_vector<float>(shape, v);
}

// TF Conv2D, written from TF's documentation: NHWC input, HWIO filter, SAME puts the
// smaller half of the padding first.
std::vector<float> tf_conv2d(const std::vector<float>& x, int H, int W, int C,
                             const std::vector<float>& f, int KH, int KW, int O, int stride,
                             bool same, int* OH, int* OW) {
  *OH = same ? (H + stride - 1) / stride : (H - KH) / stride + 1;
  *OW = same ? (W + stride - 1) / stride : (W - KW) / stride + 1;
  const int pad_top = same ? std::max((*OH - 1) * stride + KH - H, 0) / 2 : 0;
  const int pad_left = same ? std::max((*OW - 1) * stride + KW - W, 0) / 2 : 0;
  std::vector<float> y(static_cast<size_t>(*OH) * *OW * O, 0.f);
  for (int oy = 0; oy < *OH; ++oy)
    for (int ox = 0; ox < *OW; ++ox)
      for (int o = 0; o < O; ++o) {
        double acc = 0;
        for (int ky = 0; ky < KH; ++ky)
          for (int kx = 0; kx < KW; ++kx) {
            const int iy = oy * stride + ky - pad_top, ix = ox * stride + kx - pad_left;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (int c = 0; c < C; ++c)
              acc += static_cast<double>(x[(iy * W + ix) * C + c]) *
                     f[((ky * KW + kx) * C + c) * O + o];
          }
        y[(oy * *OW + ox) * O + o] = static_cast<float>(acc);
      }
  return y;
}

// TF DepthwiseConv2dNative: filter [kh, kw, C, M], output channel c * M + m.
std::vector<float> tf_depthwise(const std::vector<float>& x, int H, int W, int C,
                                const std::vector<float>& f, int K, int M) {
  const int pad = (K - 1) / 2;  // stride 1 SAME, odd K
  std::vector<float> y(static_cast<size_t>(H) * W * C * M, 0.f);
  for (int oy = 0; oy < H; ++oy)
    for (int ox = 0; ox < W; ++ox)
      for (int c = 0; c < C; ++c)
        for (int m = 0; m < M; ++m) {
          double acc = 0;
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx) {
              const int iy = oy + ky - pad, ix = ox + kx - pad;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              acc += static_cast<double>(x[(iy * W + ix) * C + c]) *
                     f[((ky * K + kx) * C + c) * M + m];
            }
          y[((oy * W + ox) * C + c) * M + m] = static_cast<float>(acc);
        }
  return y;
}

Graph import_ok(const TfjsModelBuilder& b, const tfjs::TfjsImportOptions& options = {}) {
  TempDir dir;
  b.write(dir.path());
  auto g = tfjs::import_tfjs_model(dir.str(), options);
  EXPECT_TRUE(g.is_ok()) << g.status().to_string();
  return g.is_ok() ? std::move(g).value() : Graph();
}

std::vector<Tensor> run(const Graph& g, const Tensor& x, Graph* specialized_out = nullptr) {
  auto s = specialize(g, {x.shape()});
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  if (!s.is_ok()) return {};
  auto out = reference_run(s.value(), {x});
  EXPECT_TRUE(out.is_ok()) << out.status().to_string();
  if (specialized_out) *specialized_out = s.value();
  return out.is_ok() ? std::move(out).value() : std::vector<Tensor>{};
}

double max_abs_diff(const Tensor& got, const std::vector<float>& want) {
  EXPECT_EQ(got.numel(), static_cast<int64_t>(want.size()));
  double m = 0;
  for (int64_t i = 0; i < std::min<int64_t>(got.numel(), want.size()); ++i)
    m = std::max(m, std::abs(static_cast<double>(got.data<float>()[i]) - want[i]));
  return m;
}

const Node* find_node(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes())
    if (n.name == name) return &n;
  return nullptr;
}

// ---- convolutions, every weight format ------------------------------------------------

class TfjsTwoConvNet : public ::testing::TestWithParam<WeightFormat> {};

TEST_P(TfjsTwoConvNet, MatchesTfMathWithTheDecodedWeights) {
  // x [1,5,7,2] -> _FusedConv2D 3x3 stride 2 SAME + BiasAdd + LeakyRelu(0.1) -> 4 ch
  //             -> Conv2D 1x1 VALID -> 3 ch -> Identity "out".
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 2});
  const auto w1 = b.const_f32("c1/w", {3, 3, 2, 4}, ramp(72, 0.5f, 0.05f), GetParam());
  const auto b1 = b.const_f32("c1/b", {4}, {0.1f, -0.2f, 0.3f, 0.05f}, GetParam());
  const auto w2 = b.const_f32("c2/w", {1, 1, 4, 3}, ramp(12, 0.7f, -0.1f), GetParam());
  OJson a1 = conv_attrs(2, "SAME");
  a1["fused_ops"] = attr_strs({"BiasAdd", "LeakyRelu"});
  a1["num_args"] = attr_i(1);
  a1["leakyrelu_alpha"] = attr_f(0.1f);
  b.node("c1", "_FusedConv2D", {"x", "c1/w", "c1/b"}, a1);
  b.node("c2", "Conv2D", {"c1", "c2/w"}, conv_attrs(1, "VALID"));
  b.node("out", "Identity", {"c2"}, {{"T", attr_type("DT_FLOAT")}});
  const Graph g = import_ok(b);
  ASSERT_EQ(g.outputs().size(), 1u);
  EXPECT_EQ(g.value(g.outputs()[0]).name, "out");

  const auto xv = ramp(5 * 7 * 2, 1.f, 0.f);
  int oh = 0, ow = 0, oh2 = 0, ow2 = 0;
  auto y1 = tf_conv2d(xv, 5, 7, 2, w1, 3, 3, 4, 2, true, &oh, &ow);
  for (size_t i = 0; i < y1.size(); ++i) {
    const float v = y1[i] + b1[i % 4];
    y1[i] = v > 0 ? v : v * 0.1f;
  }
  const auto y2 = tf_conv2d(y1, oh, ow, 4, w2, 1, 1, 3, 1, false, &oh2, &ow2);
  ASSERT_EQ(oh2, 3);
  ASSERT_EQ(ow2, 4);
  const auto out = run(g, nhwc({1, 5, 7, 2}, xv));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 3, 4, 3}));
  EXPECT_LE(max_abs_diff(out[0], y2), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Formats, TfjsTwoConvNet,
                         ::testing::Values(WeightFormat::kFloat32, WeightFormat::kFloat16,
                                           WeightFormat::kUInt8, WeightFormat::kUInt16),
                         [](const auto& info) {
                           switch (info.param) {
                             case WeightFormat::kFloat32:
                               return std::string("float32");
                             case WeightFormat::kFloat16:
                               return std::string("float16");
                             case WeightFormat::kUInt8:
                               return std::string("uint8");
                             case WeightFormat::kUInt16:
                               return std::string("uint16");
                           }
                           return std::string("?");
                         });

TEST(TfjsImport, SameStride2OnOddSizePutsTheOddPadAtTheEnd) {
  // in 5, kernel 4, stride 2: out 3, total pad (3-1)*2+4-5 = 3 -> 1 before, 2 after.
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 1});
  const auto w = b.const_f32("w", {4, 4, 1, 1}, ramp(16, 1.f, 0.f));
  b.node("conv", "Conv2D", {"x", "w"}, conv_attrs(2, "SAME"));
  const Graph g = import_ok(b);
  const auto xv = ramp(25, 1.f, 0.5f);
  Graph s;
  const auto out = run(g, nhwc({1, 5, 5, 1}, xv), &s);
  ASSERT_EQ(out.size(), 1u);
  const Node* conv = find_node(s, "conv");
  ASSERT_NE(conv, nullptr);
  const auto& p = conv->p<Conv2DParams>();
  EXPECT_EQ(p.pad_top, 1);
  EXPECT_EQ(p.pad_bottom, 2);
  EXPECT_EQ(p.pad_left, 1);
  EXPECT_EQ(p.pad_right, 2);
  int oh = 0, ow = 0;
  EXPECT_LE(max_abs_diff(out[0], tf_conv2d(xv, 5, 5, 1, w, 4, 4, 1, 2, true, &oh, &ow)), 1e-5);
}

TEST(TfjsImport, ExplicitPaddingAndDilation) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 1});
  b.const_f32("w", {2, 2, 1, 1}, {1.f, 2.f, 3.f, 4.f});
  OJson a = conv_attrs(1, "EXPLICIT", 2);
  a["explicit_paddings"] = attr_ints({0, 0, 1, 0, 0, 2, 0, 0});
  b.node("conv", "Conv2D", {"x", "w"}, a);
  const Graph g = import_ok(b);
  ASSERT_EQ(g.nodes().size(), 1u);
  const auto& p = g.nodes()[0].p<Conv2DParams>();
  EXPECT_EQ(p.pad_mode, PadMode::kExplicit);
  EXPECT_EQ(p.pad_top, 1);
  EXPECT_EQ(p.pad_bottom, 0);
  EXPECT_EQ(p.pad_left, 0);
  EXPECT_EQ(p.pad_right, 2);
  EXPECT_EQ(p.dilation_h, 2);
  // x = 3x3 of ones: out is 2x3; out(0,0) reads rows -1,1 x cols 0,2 -> w[1][0]+w[1][1] = 7.
  const auto out = run(g, nhwc({1, 3, 3, 1}, std::vector<float>(9, 1.f)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 2, 3, 1}));
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], 7.f);
}

TEST(TfjsImport, DepthwiseWithMultiplierTwo) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 3});
  const auto f = b.const_f32("f", {3, 3, 3, 2}, ramp(54, 0.8f, 0.1f), WeightFormat::kFloat16);
  b.node("dw", "DepthwiseConv2dNative", {"x", "f"}, conv_attrs(1, "SAME"));
  const Graph g = import_ok(b);
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0].p<Conv2DParams>().groups, 3);
  EXPECT_EQ(g.value(g.nodes()[0].inputs[1]).shape, (Shape{6, 1, 3, 3}));
  const auto xv = ramp(4 * 5 * 3, 1.f, -0.2f);
  const auto out = run(g, nhwc({1, 4, 5, 3}, xv));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 4, 5, 6}));
  EXPECT_LE(max_abs_diff(out[0], tf_depthwise(xv, 4, 5, 3, f, 3, 2)), 1e-5);
}

TEST(TfjsImport, FusedActivations) {
  // 1x1 conv with weight 1 and bias 0.5 over x: y = act(x + 0.5).
  const std::vector<float> xv = {-8.f, -1.f, 0.f, 7.f};
  struct Case {
    const char* op;
    float alpha;
    UnaryOp want;
    std::vector<float> out;
  };
  const Case cases[] = {
      {"Relu", 0.f, UnaryOp::kRelu, {0.f, 0.f, 0.5f, 7.5f}},
      {"Relu6", 0.f, UnaryOp::kClip, {0.f, 0.f, 0.5f, 6.f}},
      {"LeakyRelu", 0.25f, UnaryOp::kLeakyRelu, {-1.875f, -0.125f, 0.5f, 7.5f}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    TfjsModelBuilder b;
    b.placeholder("x", {1, 1, -1, 1});
    b.const_f32("w", {1, 1, 1, 1}, {1.f});
    b.const_f32("b", {1}, {0.5f});
    OJson a = conv_attrs(1, "VALID");
    a["fused_ops"] = attr_strs({"BiasAdd", c.op});
    a["num_args"] = attr_i(1);
    if (c.alpha != 0.f) a["leakyrelu_alpha"] = attr_f(c.alpha);
    b.node("conv", "_FusedConv2D", {"x", "w", "b"}, a);
    const Graph g = import_ok(b);
    ASSERT_EQ(g.nodes().size(), 1u);
    EXPECT_EQ(g.nodes()[0].p<Conv2DParams>().activation.op, c.want);
    const auto out = run(g, nhwc({1, 1, 4, 1}, xv));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_LE(max_abs_diff(out[0], c.out), 1e-6);
  }
}

// ---- element-wise ops -------------------------------------------------------------------

TEST(TfjsImport, ElementwiseOps) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, 1, 1, -1});
  b.const_f32("k", {}, {2.f});
  b.const_f32("bias", {3}, {1.f, 2.f, 3.f});
  const OJson t = {{"T", attr_type("DT_FLOAT")}};
  b.node("add", "Add", {"x", "k"}, t);
  b.node("addv2", "AddV2", {"x", "k"}, t);
  b.node("biasadd", "BiasAdd", {"x", "bias"},
         {{"T", attr_type("DT_FLOAT")}, {"data_format", attr_s("NHWC")}});
  b.node("sub", "Sub", {"k", "x"}, t);
  b.node("mul", "Mul", {"x", "k"}, t);
  b.node("div", "RealDiv", {"x", "k"}, t);
  b.node("max", "Maximum", {"x", "k"}, t);
  b.node("min", "Minimum", {"x", "k"}, t);
  b.node("square", "Square", {"x"}, t);
  b.node("sqrt", "Sqrt", {"x"}, t);
  b.node("rsqrt", "Rsqrt", {"x"}, t);
  b.node("sigmoid", "Sigmoid", {"x"}, t);
  b.node("tanh", "Tanh", {"x"}, t);
  b.node("relu6", "Relu6", {"sub"}, t);
  b.node("leaky", "LeakyRelu", {"sub"}, {{"T", attr_type("DT_FLOAT")}, {"alpha", attr_f(0.3f)}});
  const std::vector<std::string> names = {"add",   "addv2",   "biasadd", "sub",    "mul",
                                          "div",   "max",     "min",     "square", "sqrt",
                                          "rsqrt", "sigmoid", "tanh",    "relu6",  "leaky"};
  tfjs::TfjsImportOptions options;
  options.outputs = names;
  const Graph g = import_ok(b, options);
  const std::vector<float> x = {0.25f, 4.f, 9.f};
  const auto out = run(g, nhwc({1, 1, 1, 3}, x));
  ASSERT_EQ(out.size(), names.size());
  auto each = [&](auto f) {
    std::vector<float> v;
    for (float a : x) v.push_back(static_cast<float>(f(static_cast<double>(a))));
    return v;
  };
  const std::vector<std::vector<float>> want = {
      each([](double a) { return a + 2; }),
      each([](double a) { return a + 2; }),
      {1.25f, 6.f, 12.f},
      each([](double a) { return 2 - a; }),
      each([](double a) { return a * 2; }),
      each([](double a) { return a / 2; }),
      each([](double a) { return std::max(a, 2.0); }),
      each([](double a) { return std::min(a, 2.0); }),
      each([](double a) { return a * a; }),
      each([](double a) { return std::sqrt(a); }),
      each([](double a) { return 1 / std::sqrt(a); }),
      each([](double a) { return 1 / (1 + std::exp(-a)); }),
      each([](double a) { return std::tanh(a); }),
      each([](double a) { return std::clamp(2 - a, 0.0, 6.0); }),
      each([](double a) { return 2 - a > 0 ? 2 - a : 0.3 * (2 - a); }),
  };
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    EXPECT_LE(max_abs_diff(out[i], want[i]), 1e-6);
  }
}

// ---- resize ---------------------------------------------------------------------------

// Imports x [1,H,W,1] -> op(x, size) with the given flags and runs it.
Tensor resize(const std::string& op, bool align_corners, bool half_pixel, const Shape& in_shape,
              const std::vector<float>& x, int out_h, int out_w) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 1});
  b.const_i32("size", {2}, {out_h, out_w});
  b.node("resize", op, {"x", "size"},
         {{"align_corners", attr_b(align_corners)},
          {"half_pixel_centers", attr_b(half_pixel)},
          {"T", attr_type("DT_FLOAT")}});
  const Graph g = import_ok(b);
  const auto out = run(g, nhwc(in_shape, x));
  return out.empty() ? Tensor() : out[0];
}

TEST(TfjsImport, ResizeBilinearFlagCombinations) {
  // x(y, x) = 2y + x on 2x2; bilinear of a linear function is exact, so each output is
  // 2 * g(sy) + g(sx) with g the 1-D interpolation of [0, 1] at the source coordinate.
  const std::vector<float> x = {0, 1, 2, 3};
  auto expect_grid = [](const Tensor& t, const std::vector<float>& g1d) {
    const size_t n = g1d.size();
    std::vector<float> want;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) want.push_back(2 * g1d[i] + g1d[j]);
    EXPECT_LE(max_abs_diff(t, want), 1e-6);
  };
  // Legacy: src = i * in/out = 0, .5, 1, 1.5 -> [0, .5, 1, 1].
  expect_grid(resize("ResizeBilinear", false, false, {1, 2, 2, 1}, x, 4, 4), {0.f, 0.5f, 1.f, 1.f});
  // Half-pixel: src = (i + .5) / 2 - .5 = -.25, .25, .75, 1.25 -> [0, .25, .75, 1].
  expect_grid(resize("ResizeBilinear", false, true, {1, 2, 2, 1}, x, 4, 4),
              {0.f, 0.25f, 0.75f, 1.f});
  // Align corners 2 -> 3: src = 0, .5, 1.
  expect_grid(resize("ResizeBilinear", true, false, {1, 2, 2, 1}, x, 3, 3), {0.f, 0.5f, 1.f});
}

TEST(TfjsImport, ResizeNearestFlagCombinations) {
  const std::vector<float> x = {10, 20, 30};
  auto row = [](const Tensor& t) {
    return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
  };
  // 3 -> 4, legacy: floor(i * .75) = 0, 0, 1, 2.
  EXPECT_EQ(row(resize("ResizeNearestNeighbor", false, false, {1, 1, 3, 1}, x, 1, 4)),
            (std::vector<float>{10, 10, 20, 30}));
  // 3 -> 4, half-pixel: floor((i + .5) * .75) = floor(.375, 1.125, 1.875, 2.625) = 0, 1, 1, 2.
  EXPECT_EQ(row(resize("ResizeNearestNeighbor", false, true, {1, 1, 3, 1}, x, 1, 4)),
            (std::vector<float>{10, 20, 20, 30}));
  // 3 -> 5, align corners: round(i * .5) with ties up = 0, 1, 1, 2, 2.
  EXPECT_EQ(row(resize("ResizeNearestNeighbor", true, false, {1, 1, 3, 1}, x, 1, 5)),
            (std::vector<float>{10, 20, 20, 30, 30}));
  // 3 -> 5, legacy: floor(i * .6) = 0, 0, 1, 1, 2.
  EXPECT_EQ(row(resize("ResizeNearestNeighbor", false, false, {1, 1, 3, 1}, x, 1, 5)),
            (std::vector<float>{10, 10, 20, 20, 30}));
}

TEST(TfjsImport, ResizeRejectsBothFlags) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 1});
  b.const_i32("size", {2}, {4, 4});
  b.node("resize", "ResizeBilinear", {"x", "size"},
         {{"align_corners", attr_b(true)}, {"half_pixel_centers", attr_b(true)}});
  TempDir dir;
  b.write(dir.path());
  auto g = tfjs::import_tfjs_model(dir.str());
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("align_corners and half_pixel_centers"), std::string::npos)
      << g.status().message();
}

// ---- shape arithmetic ------------------------------------------------------------------

// Shape -> StridedSlice (shrink) -> Mul 2 -> Pack -> ResizeBilinear: TF's "resize to 2x".
void add_double_size_chain(TfjsModelBuilder& b, const std::string& src, const std::string& out) {
  b.const_i32("begin_h", {1}, {1});
  b.const_i32("end_h", {1}, {2});
  b.const_i32("begin_w", {1}, {2});
  b.const_i32("end_w", {1}, {3});
  b.const_i32("one", {1}, {1});
  b.const_i32("two", {}, {2});
  const OJson shrink = {{"shrink_axis_mask", attr_i(1)}, {"begin_mask", attr_i(0)},
                        {"end_mask", attr_i(0)},         {"ellipsis_mask", attr_i(0)},
                        {"new_axis_mask", attr_i(0)},    {"T", attr_type("DT_INT32")},
                        {"Index", attr_type("DT_INT32")}};
  const OJson i32 = {{"T", attr_type("DT_INT32")}};
  b.node("shape", "Shape", {src},
         {{"T", attr_type("DT_FLOAT")}, {"out_type", attr_type("DT_INT32")}});
  b.node("h", "StridedSlice", {"shape", "begin_h", "end_h", "one"}, shrink);
  b.node("w", "StridedSlice", {"shape", "begin_w", "end_w", "one"}, shrink);
  b.node("h2", "Mul", {"h", "two"}, i32);
  b.node("w2", "Mul", {"w", "two"}, i32);
  b.node("size", "Pack", {"h2", "w2"},
         {{"N", attr_i(2)}, {"axis", attr_i(0)}, {"T", attr_type("DT_INT32")}});
  b.node(out, "ResizeBilinear", {src, "size"},
         {{"align_corners", attr_b(false)}, {"half_pixel_centers", attr_b(false)}});
}

TEST(TfjsImport, ShapeChainFoldsToAResizeByTwo) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 1});
  add_double_size_chain(b, "x", "up");
  const Graph g = import_ok(b);
  for (auto [h, w] : {std::pair{3, 5}, std::pair{4, 2}}) {
    std::vector<float> xv(h * w);
    for (int i = 0; i < h * w; ++i) xv[i] = static_cast<float>(i);
    Graph s;
    const auto out = run(g, nhwc({1, h, w, 1}, xv), &s);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].shape(), (Shape{1, 2 * h, 2 * w, 1}));
    ASSERT_EQ(s.nodes().size(), 1u) << s.to_string();
    EXPECT_EQ(s.nodes()[0].kind, OpKind::kResize);
    // Legacy mode at scale 1/2: even outputs copy inputs, odd ones average neighbours.
    EXPECT_FLOAT_EQ(out[0].data<float>()[2 * (2 * w) + 2], xv[1 * w + 1]);
    EXPECT_FLOAT_EQ(out[0].data<float>()[1], (xv[0] + xv[1]) / 2);
  }
}

TEST(TfjsImport, FillOfOnesThroughDepthwiseFoldsToCounts) {
  // The guided filter's normalizer: Fill(ones [1,H,W,1]) -> 3x3 box sum (SAME).
  TfjsModelBuilder b;
  b.placeholder("x", {1, -1, -1, 3});
  b.const_i32("b1", {1}, {1});
  b.const_i32("e1", {1}, {2});
  b.const_i32("b2", {1}, {2});
  b.const_i32("e2", {1}, {3});
  b.const_i32("s", {1}, {1});
  b.const_i32("unit", {}, {1});
  b.const_f32("one_f", {}, {1.f});
  b.const_f32("box", {3, 3, 1, 1}, std::vector<float>(9, 1.f), WeightFormat::kUInt8);
  const OJson shrink = {{"shrink_axis_mask", attr_i(1)}};
  b.node("shape", "Shape", {"x"});
  b.node("h", "StridedSlice", {"shape", "b1", "e1", "s"}, shrink);
  b.node("w", "StridedSlice", {"shape", "b2", "e2", "s"}, shrink);
  b.node("dims", "Pack", {"unit", "h", "w", "unit"}, {{"N", attr_i(4)}, {"axis", attr_i(0)}});
  b.node("ones", "Fill", {"dims", "one_f"});
  b.node("count", "DepthwiseConv2dNative", {"ones", "box"}, conv_attrs(1, "SAME"));
  b.node("mean", "RealDiv", {"x", "count"});
  tfjs::TfjsImportOptions options;
  options.outputs = {"count", "mean:0"};
  const Graph g = import_ok(b, options);
  std::vector<float> xv(4 * 5 * 3, 36.f);
  Graph s;
  const auto out = run(g, nhwc({1, 4, 5, 3}, xv), &s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 4, 5, 1}));
  const std::vector<float> want = {4, 6, 6, 6, 4, 6, 9, 9, 9, 6, 6, 9, 9, 9, 6, 4, 6, 6, 6, 4};
  EXPECT_LE(max_abs_diff(out[0], want), 0.0);
  EXPECT_FLOAT_EQ(out[1].data<float>()[0], 9.f);  // 36 / 4 at the corner
  // Everything but the division folded away.
  ASSERT_EQ(s.nodes().size(), 1u) << s.to_string();
  EXPECT_EQ(s.nodes()[0].kind, OpKind::kBinary);
}

// ---- graph structure ------------------------------------------------------------------

TEST(TfjsImport, SortsNodesAndIgnoresControlInputs) {
  TfjsModelBuilder b;
  // Consumers before producers, and a control edge to a node that is not otherwise used.
  b.node("out", "Relu", {"mid", "^side"});
  b.node("mid", "Neg", {"x"});
  b.node("side", "Identity", {"x"});
  b.placeholder("x", {1, 1, 1, -1});
  tfjs::TfjsImportOptions options;
  options.outputs = {"out"};
  const Graph g = import_ok(b, options);
  const auto out = run(g, nhwc({1, 1, 1, 2}, {-3.f, 5.f}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(max_abs_diff(out[0], {3.f, 0.f}), 0.0);
}

TEST(TfjsImport, OutputSelection) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, 1, 1, 1});
  b.const_f32("unused", {1}, {1.f});
  b.node("a", "Relu", {"x"});
  b.node("b", "Neg", {"x"});
  {  // No signature: every node nobody reads, Consts excluded, in file order.
    const Graph g = import_ok(b);
    ASSERT_EQ(g.outputs().size(), 2u);
    EXPECT_EQ(g.value(g.outputs()[0]).name, "a");
    EXPECT_EQ(g.value(g.outputs()[1]).name, "b");
  }
  b.doc()["userDefinedMetadata"] = {{"signature", {{"outputs", {{"b:0", {{"name", "b:0"}}}}}}}};
  {  // The signature wins.
    const Graph g = import_ok(b);
    ASSERT_EQ(g.outputs().size(), 1u);
    EXPECT_EQ(g.value(g.outputs()[0]).name, "b");
  }
  {  // And the caller's choice wins over the signature.
    tfjs::TfjsImportOptions options;
    options.outputs = {"a:0"};
    const Graph g = import_ok(b, options);
    ASSERT_EQ(g.outputs().size(), 1u);
    EXPECT_EQ(g.value(g.outputs()[0]).name, "a");
  }
  TempDir dir;
  b.write(dir.path());
  tfjs::TfjsImportOptions options;
  options.outputs = {"nope"};
  auto bad = tfjs::import_tfjs_model(dir.str(), options);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("requested output 'nope' is not a node"), std::string::npos)
      << bad.status().message();
}

TEST(TfjsImport, ListsModelFiles) {
  TfjsModelBuilder b;
  b.placeholder("x", {1, 1, 1, 1});
  b.const_f32("k", {1}, {1.f});
  b.node("y", "Add", {"x", "k"});
  TempDir dir;
  b.write(dir.path());
  auto files = tfjs::list_tfjs_model_files(dir.str());
  ASSERT_TRUE(files.is_ok()) << files.status().to_string();
  ASSERT_EQ(files->all_files.size(), 2u);
  EXPECT_EQ(std::filesystem::path(files->all_files[0]).filename(), "model.json");
  EXPECT_EQ(std::filesystem::path(files->shards[0]).filename(), "group1-shard1of1.bin");
  EXPECT_EQ(files->shard_relative[0], "group1-shard1of1.bin");
}

TEST(TfjsImport, SupportedOpsAreListed) {
  const auto& ops = tfjs::tfjs_supported_ops();
  for (const char* op :
       {"_FusedConv2D", "DepthwiseConv2dNative", "ResizeBilinear", "StridedSlice", "Fill"})
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
}

}  // namespace
}  // namespace toonbox
