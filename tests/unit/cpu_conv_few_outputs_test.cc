// The CPU backend's own kernel for convs with 1 to 4 outputs (backend/cpu/cpu_conv_few_outputs.h):
// called directly against a float64 loop, and through the backend (on, and off with
// TOONBOX_CPU_FEW_OUTPUTS=0) against the reference.
#include "backend/cpu/cpu_conv_few_outputs.h"

#include <gtest/gtest.h>

#include <cmath>

#include "backend/cpu/cpu_backend.h"
#include "cuda_test_util.h"

namespace toonbox {
namespace {

using cuda_test::expect_close;
using cuda_test::random_tensor;
using cuda_test::ScopedEnv;

struct FewCase {
  const char* name;
  bool nhwc;
  int64_t n, c, h, w;  // input
  int k, r, s;
  std::array<int, 4> pads;  // top, bottom, left, right
  graph::Activation act;
};

// Widths below, at and past a vector (8) and the blocks, asymmetric pads, pads wider than
// the image (the 9-wide input with 7-wide kernels), every supported activation.
const FewCase kCases[] = {
    {"nchw_k7_16to3_leaky", false, 1, 16, 19, 37, 3, 7, 7, {3, 3, 3, 3}, {graph::UnaryOp::kLeakyRelu, 0.2f}},
    {"nhwc_k7_32to3", true, 1, 32, 11, 45, 3, 7, 7, {3, 3, 3, 3}, {}},
    {"nhwc_k3_8to1_relu_batch2", true, 2, 8, 6, 17, 1, 3, 3, {1, 1, 1, 1}, {graph::UnaryOp::kRelu}},
    {"nchw_k5_4to2_asym_tanh", false, 1, 4, 7, 10, 2, 5, 5, {1, 3, 4, 0}, {graph::UnaryOp::kTanh}},
    {"nchw_k3x5_3to4_clip", false, 2, 3, 5, 8, 4, 3, 5, {0, 2, 1, 3}, {graph::UnaryOp::kClip, -0.3f, 0.4f}},
    {"nhwc_k7_5to4_sigmoid_narrow", true, 1, 5, 9, 3, 4, 7, 7, {3, 3, 3, 3}, {graph::UnaryOp::kSigmoid}},
    {"nchw_k3_2to3_no_pad", false, 1, 2, 6, 64, 3, 3, 3, {0, 0, 0, 0}, {}},
};

double activate(const graph::Activation& a, double v) {
  switch (a.op) {
    case graph::UnaryOp::kRelu: return v > 0 ? v : 0;
    case graph::UnaryOp::kLeakyRelu: return v > 0 ? v : v * a.alpha;
    case graph::UnaryOp::kSigmoid: return 1 / (1 + std::exp(-v));
    case graph::UnaryOp::kTanh: return std::tanh(v);
    case graph::UnaryOp::kClip: return std::min<double>(std::max<double>(v, a.alpha), a.beta);
    default: return v;
  }
}

graph::Conv2DParams params(const FewCase& c) {
  graph::Conv2DParams p;
  p.layout = c.nhwc ? graph::Layout::kNHWC : graph::Layout::kNCHW;
  p.pad_mode = graph::PadMode::kExplicit;
  p.pad_top = c.pads[0];
  p.pad_bottom = c.pads[1];
  p.pad_left = c.pads[2];
  p.pad_right = c.pads[3];
  p.activation = c.act;
  return p;
}

Shape input_shape(const FewCase& c) { return c.nhwc ? Shape{c.n, c.h, c.w, c.c} : Shape{c.n, c.c, c.h, c.w}; }

TEST(CpuConvFewOutputs, KernelMatchesAFloat64Loop) {
  for (const FewCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Tensor x = random_tensor(input_shape(c), 31, -1.f, 1.f, false);
    const Tensor w = random_tensor({c.k, c.c, c.r, c.s}, 32, -0.3f, 0.3f, false);
    const Tensor b = random_tensor({c.k}, 33, -0.5f, 0.5f, false);
    ASSERT_TRUE(cpu::few_outputs_conv_applies(params(c), w.shape()));
    cpu::FewOutputsConvDims d;
    d.nhwc = c.nhwc;
    d.n = c.n, d.c = c.c, d.h = c.h, d.w = c.w, d.k = c.k, d.r = c.r, d.s = c.s;
    d.out_h = c.h + c.pads[0] + c.pads[1] - c.r + 1;
    d.out_w = c.w + c.pads[2] + c.pads[3] - c.s + 1;
    d.pad_top = c.pads[0];
    d.pad_left = c.pads[2];
    std::vector<float> y(static_cast<size_t>(d.n * d.k * d.out_h * d.out_w), NAN);
    cpu::conv_few_outputs(d, x.data<float>(), w.data<float>(), b.data<float>(), c.act, y.data());
    const float* xv = x.data<float>();
    const float* wv = w.data<float>();
    auto at = [&](int64_t n, int64_t ch, int64_t iy, int64_t ix) {
      return c.nhwc ? xv[((n * c.h + iy) * c.w + ix) * c.c + ch] : xv[((n * c.c + ch) * c.h + iy) * c.w + ix];
    };
    double worst = 0;
    for (int64_t n = 0; n < d.n; ++n)
      for (int64_t o = 0; o < d.k; ++o)
        for (int64_t oy = 0; oy < d.out_h; ++oy)
          for (int64_t ox = 0; ox < d.out_w; ++ox) {
            double sum = b.data<float>()[o];
            for (int64_t ch = 0; ch < c.c; ++ch)
              for (int64_t r = 0; r < c.r; ++r)
                for (int64_t s = 0; s < c.s; ++s) {
                  const int64_t iy = oy - d.pad_top + r, ix = ox - d.pad_left + s;
                  if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                  sum += static_cast<double>(wv[((o * c.c + ch) * c.r + r) * c.s + s]) * at(n, ch, iy, ix);
                }
            const double want = activate(c.act, sum);
            const float got = c.nhwc ? y[((n * d.out_h + oy) * d.out_w + ox) * d.k + o]
                                     : y[((n * d.k + o) * d.out_h + oy) * d.out_w + ox];
            worst = std::isfinite(got) ? std::max(worst, std::abs(got - want)) : INFINITY;
          }
    // fp32 sums of up to 32 * 49 terms (seen: 1.8e-5 off the float64 sum); an indexing
    // mistake moves values by ~0.1, and an output left unwritten stays NaN (infinite here).
    EXPECT_LT(worst, 1e-4);
  }
}

TEST(CpuConvFewOutputs, OtherConvsAreLeftToOneDnn) {
  graph::Conv2DParams p;
  EXPECT_FALSE(cpu::few_outputs_conv_applies(p, {5, 8, 3, 3})) << "5 outputs";
  EXPECT_FALSE(cpu::few_outputs_conv_applies(p, {3, 8, 1, 1})) << "1x1";
  graph::Conv2DParams strided = p;
  strided.stride_w = 2;
  EXPECT_FALSE(cpu::few_outputs_conv_applies(strided, {3, 8, 3, 3})) << "stride 2";
  graph::Conv2DParams grouped = p;
  grouped.groups = 2;
  EXPECT_FALSE(cpu::few_outputs_conv_applies(grouped, {2, 4, 3, 3})) << "groups";
  graph::Conv2DParams dilated = p;
  dilated.dilation_h = 2;
  EXPECT_FALSE(cpu::few_outputs_conv_applies(dilated, {3, 8, 3, 3})) << "dilation";
  ScopedEnv off("TOONBOX_CPU_FEW_OUTPUTS", "0");
  EXPECT_FALSE(cpu::few_outputs_conv_applies(p, {3, 8, 7, 7})) << "turned off";
}

TEST(CpuConvFewOutputs, BackendOnAndOffMatchTheReference) {
  auto cpu = cpu::create_cpu_backend();
  for (const FewCase& c : kCases) {
    graph::Graph g;
    const int x = g.add_input("x", DType::kFloat32, input_shape(c));
    std::vector<int> inputs = {x, g.add_constant("w", random_tensor({c.k, c.c, c.r, c.s}, 41, -0.3f, 0.3f, false)),
                               g.add_constant("b", random_tensor({c.k}, 42, -0.5f, 0.5f, false))};
    g.add_output(g.add_node(graph::OpKind::kConv2D, c.name, inputs, params(c)));
    auto spec = compile::specialize(g, {input_shape(c)});
    ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
    const Tensor xin = random_tensor(input_shape(c), 43, -1.f, 1.f, false);
    auto want = ops::reference_run(spec.value(), {xin});
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    for (const char* on : {"1", "0"}) {
      ScopedEnv env("TOONBOX_CPU_FEW_OUTPUTS", on);
      auto exe = cpu->compile(spec.value(), backend::CompileOptions{Precision::kFloat32});
      ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
      std::vector<Tensor> got;
      ASSERT_TRUE(exe.value()->run({xin}, &got, nullptr).is_ok());
      expect_close(got[0], want.value()[0], Precision::kFloat32,
                   std::string(c.name) + " with TOONBOX_CPU_FEW_OUTPUTS=" + on);
    }
  }
}

}  // namespace
}  // namespace toonbox
