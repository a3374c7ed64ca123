// Every op on every available backend against the naive reference (ggml's
// test-backend-ops idea). Odd sizes on purpose; random non-zero inputs; both layouts.
// Tolerances (normalized MSE, sum((got-ref)^2)/sum(ref^2)):
//   fp32: <= 1e-9 (float accumulation in another order; measured ~1e-13)
//   fp16: <= 2e-5 (half storage: ~2^-11 relative per rounding, a few roundings per op)
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "backend/cpu/cpu_backend.h"
#include "graph/passes.h"
#include "ops/reference.h"
#include "unit/test_util.h"

namespace toonbox {
namespace {

struct BackendCase {
  std::string name;  // "Cpu", "CudaFp32", "CudaFp16"
  Precision precision;
};

std::unique_ptr<Backend> make_backend(const std::string& name, std::string* skip_reason) {
  if (name == "Cpu") return create_cpu_backend();
  return test::cuda_backend(skip_reason);
}

// A test case is a graph with float inputs of given shapes plus input value ranges.
struct OpCase {
  std::string label;
  Graph graph;
  std::vector<Shape> input_shapes;
  float lo = -1.f, hi = 1.f;
};

class BackendOps : public ::testing::TestWithParam<BackendCase> {
 protected:
  void check(OpCase c) {
    std::string skip;
    auto backend = make_backend(GetParam().name.rfind("Cuda", 0) == 0 ? "Cuda" : "Cpu", &skip);
    if (!backend) GTEST_SKIP() << skip;
    const Precision precision = GetParam().precision;
    auto spec = specialize(c.graph, c.input_shapes);
    ASSERT_TRUE(spec.is_ok()) << c.label << ": " << spec.status().to_string();
    Graph g = std::move(spec).value();
    fuse_conv_activation(g);
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < c.input_shapes.size(); ++i) {
      Tensor t = test::random_tensor(c.input_shapes[i], 1234 + i, c.lo, c.hi);
      // fp16 backends quantize inputs on upload; give the reference the same inputs so
      // the test measures the op's error, not the input rounding (Floor would flip).
      if (precision == Precision::kFloat16)
        for (int64_t j = 0; j < t.numel(); ++j) t.data<float>()[j] = round_to_half(t.data<float>()[j]);
      inputs.push_back(std::move(t));
    }
    auto want = reference_run(g, inputs);
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    auto exe = backend->compile(g, CompileOptions{precision});
    ASSERT_TRUE(exe.is_ok()) << c.label << ": " << exe.status().to_string();
    std::vector<Tensor> got;
    ASSERT_TRUE((*exe)->run(inputs, &got, nullptr).is_ok());
    ASSERT_EQ(got.size(), want->size());
    const double tol = precision == Precision::kFloat16 ? 2e-5 : 1e-9;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].shape(), (*want)[i].shape()) << c.label;
      const test::ErrorStats e = test::compare(got[i], (*want)[i]);
      EXPECT_FALSE(e.has_nan) << c.label;
      EXPECT_LE(e.nmse, tol) << c.label << " on " << GetParam().name << ": " << e.to_string();
    }
    // A second run must give identical results (no state leaks between runs).
    std::vector<Tensor> again;
    ASSERT_TRUE((*exe)->run(inputs, &again, nullptr).is_ok());
    EXPECT_EQ(test::compare(again[0], got[0]).max_abs, 0.0) << c.label << ": run is not repeatable";
  }
};

Graph conv_graph(Layout layout, int64_t cin, int64_t cout, int k, int stride, int dilation,
                 int groups, PadMode pad, UnaryOp act, bool bias, float alpha = 0.2f) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32,
                            layout == Layout::kNHWC ? Shape{-1, -1, -1, cin} : Shape{-1, cin, -1, -1});
  const int w = g.add_constant("w", test::random_tensor({cout, cin / groups, k, k}, 7, -0.5f, 0.5f));
  std::vector<int> ins = {x, w};
  if (bias) ins.push_back(g.add_constant("b", test::random_tensor({cout}, 8)));
  Conv2DParams p;
  p.layout = layout;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.groups = groups;
  p.pad_mode = pad;
  if (pad == PadMode::kExplicit) {
    p.pad_top = 1;
    p.pad_bottom = 2;
    p.pad_left = 0;
    p.pad_right = 1;
  }
  int y = g.add_node(OpKind::kConv2D, "conv", ins, p);
  if (act != UnaryOp::kIdentity) {
    UnaryParams u{act, act == UnaryOp::kClip ? -0.3f : alpha, 0.4f};
    y = g.add_node(OpKind::kUnary, "act", {y}, u);
  }
  g.add_output(y);
  return g;
}

Shape act_shape(Layout layout, int64_t n, int64_t c, int64_t h, int64_t w) {
  return layout == Layout::kNHWC ? Shape{n, h, w, c} : Shape{n, c, h, w};
}

TEST_P(BackendOps, Conv2D) {
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    const char* ln = layout == Layout::kNHWC ? "nhwc" : "nchw";
    struct C { int cin, cout, k, stride, dil, groups; PadMode pad; UnaryOp act; bool bias; };
    const C cases[] = {
        {3, 8, 3, 1, 1, 1, PadMode::kSameUpper, UnaryOp::kIdentity, true},
        {5, 7, 3, 2, 1, 1, PadMode::kSameUpper, UnaryOp::kLeakyRelu, true},  // asymmetric pad
        {4, 6, 7, 1, 1, 1, PadMode::kSameUpper, UnaryOp::kRelu, true},
        {6, 6, 3, 1, 1, 6, PadMode::kSameUpper, UnaryOp::kIdentity, false},  // depthwise
        {4, 8, 3, 1, 1, 4, PadMode::kSameUpper, UnaryOp::kIdentity, true},   // depthwise x2
        {4, 6, 3, 1, 2, 2, PadMode::kExplicit, UnaryOp::kSigmoid, true},    // dilated, grouped
        {5, 3, 1, 1, 1, 1, PadMode::kValid, UnaryOp::kTanh, true},          // 1x1 (GEMM path)
        {3, 4, 3, 2, 1, 1, PadMode::kSameLower, UnaryOp::kClip, true},
        {3, 4, 4, 3, 1, 1, PadMode::kValid, UnaryOp::kIdentity, true},
    };
    for (const C& c : cases) {
      OpCase oc{std::string(ln) + " conv k" + std::to_string(c.k) + " s" + std::to_string(c.stride) +
                    " d" + std::to_string(c.dil) + " g" + std::to_string(c.groups) + " " +
                    unary_op_name(c.act),
                conv_graph(layout, c.cin, c.cout, c.k, c.stride, c.dil, c.groups, c.pad, c.act, c.bias),
                {act_shape(layout, 2, c.cin, 13, 11)}};
      check(std::move(oc));
    }
  }
}

TEST_P(BackendOps, BinaryBroadcast) {
  const std::pair<Shape, Shape> shapes[] = {
      {{1, 9, 7, 3}, {1, 9, 7, 3}}, {{1, 9, 7, 3}, {1, 9, 7, 1}}, {{1, 9, 7, 3}, {}},
      {{1, 9, 7, 3}, {3}},          {{2, 1, 7, 3}, {1, 5, 1, 3}}, {{}, {1, 4, 5, 2}}};
  for (BinaryOp op : {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv, BinaryOp::kMax,
                      BinaryOp::kMin}) {
    for (const auto& [sa, sb] : shapes) {
      Graph g;
      const int a = g.add_input("a", DType::kFloat32, Shape(sa.size(), -1));
      const int b = g.add_input("b", DType::kFloat32, Shape(sb.size(), -1));
      g.add_output(g.add_node(OpKind::kBinary, "bin", {a, b}, BinaryParams{op}));
      // Division by values near zero is ill-conditioned; keep inputs in [0.5, 2].
      check(OpCase{std::string(binary_op_name(op)) + " " + shape_to_string(sa) + " " +
                       shape_to_string(sb),
                   std::move(g), {sa, sb}, 0.5f, 2.f});
    }
  }
}

TEST_P(BackendOps, BinaryWithConstant) {
  Graph g;
  const int a = g.add_input("a", DType::kFloat32, {1, -1, -1, 3});
  const int k = g.add_constant("k", Tensor::from_vector<float>({}, {1e-2f}));
  const int y = g.add_node(OpKind::kBinary, "sub", {k, a}, BinaryParams{BinaryOp::kSub});
  g.add_output(y);
  check(OpCase{"const - x", std::move(g), {{1, 5, 7, 3}}});
}

TEST_P(BackendOps, Unary) {
  for (UnaryOp op : {UnaryOp::kRelu, UnaryOp::kLeakyRelu, UnaryOp::kSigmoid, UnaryOp::kTanh,
                     UnaryOp::kClip, UnaryOp::kSquare, UnaryOp::kSqrt, UnaryOp::kAbs, UnaryOp::kNeg,
                     UnaryOp::kExp, UnaryOp::kLog, UnaryOp::kRound, UnaryOp::kFloor}) {
    Graph g;
    const int x = g.add_input("x", DType::kFloat32, {-1, -1, -1});
    g.add_output(g.add_node(OpKind::kUnary, "u", {x}, UnaryParams{op, -0.25f, 0.5f}));
    const bool positive = op == UnaryOp::kSqrt || op == UnaryOp::kLog;
    // Round/Floor: scale up so many values cross integer boundaries.
    const float lo = positive ? 0.1f : (op == UnaryOp::kRound || op == UnaryOp::kFloor ? -7.f : -2.f);
    const float hi = positive ? 3.f : -lo;
    if (op == UnaryOp::kLeakyRelu) {
      g.nodes()[0].p<UnaryParams>().alpha = 0.2f;
    }
    check(OpCase{unary_op_name(op), std::move(g), {{3, 17, 5}}, lo, hi});
  }
}

TEST_P(BackendOps, Resize) {
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    for (ResizeMode mode : {ResizeMode::kBilinear, ResizeMode::kNearest}) {
      for (ResizeCoord coord : {ResizeCoord::kAsymmetric, ResizeCoord::kHalfPixel, ResizeCoord::kAlignCorners}) {
        for (auto [oh, ow] : {std::pair{14, 22}, std::pair{5, 4}, std::pair{7, 11}}) {
          Graph g;
          const int x = g.add_input("x", DType::kFloat32, {-1, -1, -1, -1});
          const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {oh, ow}));
          ResizeParams p;
          p.layout = layout;
          p.mode = mode;
          p.coord = coord;
          g.add_output(g.add_node(OpKind::kResize, "resize", {x, size}, p));
          check(OpCase{"resize " + std::to_string(static_cast<int>(mode)) + "/" +
                           std::to_string(static_cast<int>(coord)) + " to " + std::to_string(oh) +
                           "x" + std::to_string(ow),
                       std::move(g), {act_shape(layout, 2, 3, 7, 11)}});
        }
      }
    }
  }
}

// conv -> leaky relu -> downsample conv -> resize x2 -> add skip -> divide: the shape of
// the White-box UNet's building blocks, with memory planning exercised across ops.
TEST_P(BackendOps, SmallUNetBlock) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  Conv2DParams p;
  p.pad_mode = PadMode::kSameUpper;
  const int c1 = g.add_node(OpKind::kConv2D, "c1",
                            {x, g.add_constant("w1", test::random_tensor({8, 3, 3, 3}, 1)),
                             g.add_constant("b1", test::random_tensor({8}, 2))}, p);
  const int a1 = g.add_node(OpKind::kUnary, "a1", {c1}, UnaryParams{UnaryOp::kLeakyRelu, 0.2f});
  Conv2DParams down = p;
  down.stride_h = down.stride_w = 2;
  const int c2 = g.add_node(OpKind::kConv2D, "c2",
                            {a1, g.add_constant("w2", test::random_tensor({8, 8, 3, 3}, 3, -0.3f, 0.3f))}, down);
  const int shape = g.add_node(OpKind::kShape, "shape", {a1}, NoParams{});
  const int b = g.add_constant("b", Tensor::from_vector<int32_t>({1}, {1}));
  const int e = g.add_constant("e", Tensor::from_vector<int32_t>({1}, {3}));
  const int s = g.add_constant("s", Tensor::from_vector<int32_t>({1}, {1}));
  const int hw = g.add_node(OpKind::kStridedSlice, "hw", {shape, b, e, s}, StridedSliceParams{});
  ResizeParams rp;
  const int up = g.add_node(OpKind::kResize, "up", {c2, hw}, rp);
  const int sum = g.add_node(OpKind::kBinary, "sum", {up, a1}, BinaryParams{BinaryOp::kAdd});
  const int sq = g.add_node(OpKind::kUnary, "sq", {sum}, UnaryParams{UnaryOp::kSquare});
  const int one = g.add_constant("one", Tensor::from_vector<float>({}, {1.f}));
  const int den = g.add_node(OpKind::kBinary, "den", {sq, one}, BinaryParams{BinaryOp::kAdd});
  g.add_output(g.add_node(OpKind::kBinary, "div", {sum, den}, BinaryParams{BinaryOp::kDiv}));
  check(OpCase{"unet block 15x17", g, {{1, 15, 17, 3}}});
  check(OpCase{"unet block 16x16", std::move(g), {{1, 16, 16, 3}}});
}

INSTANTIATE_TEST_SUITE_P(, BackendOps,
                         ::testing::Values(BackendCase{"Cpu", Precision::kFloat32},
                                           BackendCase{"CudaFp32", Precision::kFloat32},
                                           BackendCase{"CudaFp16", Precision::kFloat16}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace toonbox
