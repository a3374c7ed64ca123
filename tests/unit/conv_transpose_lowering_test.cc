// compile/conv_transpose_lowering.h: a ConvTranspose lowered to the sub-pixel form (one
// conv, DepthToSpace, crop) or the zero-insertion form equals the transposed conv itself,
// run by the float64-accumulating reference, for the strides, kernels, pads and output
// paddings the shared models and the restoration architectures use.
#include <gtest/gtest.h>

#include <algorithm>

#include <stdlib.h>

#include "compile/conv_transpose_lowering.h"
#include "compile/fusion.h"
#include "compile/specialize.h"
#include "ops/reference.h"
#include "test_util.h"

using namespace toonbox::graph;

namespace toonbox {
namespace {

struct ScopedEnvVar {
  ScopedEnvVar(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnvVar() { ::unsetenv(name_); }
  const char* name_;
};

struct Deconv {
  const char* name;
  int cin, cout, k, stride;
  int pad_top, pad_bottom, pad_left, pad_right;
  int out_pad;
  bool bias;
};

using test::random_tensor;

Graph deconv_graph(const Deconv& d, const Shape& x_shape) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, x_shape);
  std::vector<int> inputs = {x, g.add_constant("w", random_tensor({d.cin, d.cout, d.k, d.k}, 7))};
  if (d.bias) inputs.push_back(g.add_constant("b", random_tensor({d.cout}, 8)));
  ConvTransposeParams p;
  p.stride_h = p.stride_w = d.stride;
  p.pad_top = d.pad_top;
  p.pad_bottom = d.pad_bottom;
  p.pad_left = d.pad_left;
  p.pad_right = d.pad_right;
  p.output_pad_h = p.output_pad_w = d.out_pad;
  g.add_output(g.add_node(OpKind::kConvTranspose, d.name, inputs, p));
  return g;
}

int count_kind(const Graph& g, OpKind kind) {
  return static_cast<int>(std::count_if(g.nodes().begin(), g.nodes().end(),
                                        [&](const Node& n) { return n.kind == kind; }));
}

const Deconv kCases[] = {
    // Real-CUGAN's last layer: ConvTranspose2d(64, 3, 4, 2, 3) (here 6 -> 3 channels).
    {"cugan_k4_s2_p3", 6, 3, 4, 2, 3, 3, 3, 3, 0, true},
    // Real-CUGAN's UpCunet deconvs: k2 s2 p0.
    {"k2_s2_p0", 5, 4, 2, 2, 0, 0, 0, 0, 0, true},
    // StyleGAN2/GPEN upsampling: k3 s2 p0 (then blurred), and the common k4 s2 p1.
    {"k3_s2_p0", 4, 4, 3, 2, 0, 0, 0, 0, 0, false},
    {"k4_s2_p1", 3, 5, 4, 2, 1, 1, 1, 1, 0, true},
    // PyTorch's k3 s2 p1 output_padding 1 (an exact 2x), and asymmetric pads.
    {"k3_s2_p1_op1", 4, 3, 3, 2, 1, 1, 1, 1, 1, true},
    {"k3_s2_asym", 3, 2, 3, 2, 0, 2, 1, 0, 0, false},
    // Stride 3, kernel not a multiple of it.
    {"k5_s3_p1", 2, 3, 5, 3, 1, 1, 1, 1, 2, true},
};

void expect_lowering_matches(const Deconv& d, bool sub_pixel) {
  const Shape x_shape{2, d.cin, 7, 9};
  auto spec = compile::specialize(deconv_graph(d, x_shape), {x_shape});
  ASSERT_TRUE(spec.is_ok()) << d.name << ": " << spec.status().to_string();
  Graph lowered = spec.value();
  ScopedEnvVar env("TOONBOX_SUB_PIXEL_DECONV", sub_pixel ? "1" : "0");
  const int count = compile::lower_conv_transposes(lowered);
  // The sub-pixel form takes every case here; the zero-insertion form not those whose
  // equivalent pad would be negative (Real-CUGAN's p3, the asymmetric one).
  if (sub_pixel) EXPECT_EQ(count, 1) << d.name;
  if (count == 0) return;
  EXPECT_EQ(count_kind(lowered, OpKind::kConvTranspose), 0) << d.name << "\n" << lowered.to_string();
  EXPECT_EQ(count_kind(lowered, OpKind::kDepthToSpace), sub_pixel ? 1 : 0) << d.name << "\n" << lowered.to_string();
  const Tensor x = random_tensor(x_shape, 9);
  auto want = ops::reference_run(spec.value(), {x});
  auto got = ops::reference_run(lowered, {x});
  ASSERT_TRUE(want.is_ok() && got.is_ok()) << d.name;
  ASSERT_EQ(got.value()[0].shape(), want.value()[0].shape()) << d.name;
  const test::ErrorStats e = test::compare(got.value()[0], want.value()[0]);
  EXPECT_FALSE(e.has_nan) << d.name;
  EXPECT_LE(e.max_abs, 1e-5) << d.name << (sub_pixel ? " (sub-pixel)" : " (zero insertion)");
}

TEST(ConvTransposeLowering, SubPixelFormEqualsTheTransposedConv) {
  for (const Deconv& d : kCases) expect_lowering_matches(d, true);
}

TEST(ConvTransposeLowering, ZeroInsertionFormEqualsTheTransposedConv) {
  for (const Deconv& d : kCases) expect_lowering_matches(d, false);
}

// Real-CUGAN's k4 s2 p3 deconv has no zero-insertion form (its equivalent pad would be
// negative) and kept the backends' own ConvTranspose loop; the sub-pixel form takes it.
TEST(ConvTransposeLowering, SubPixelTakesWhatZeroInsertionCannot) {
  const Deconv& d = kCases[0];
  const Shape x_shape{1, d.cin, 7, 9};
  auto spec = compile::specialize(deconv_graph(d, x_shape), {x_shape});
  ASSERT_TRUE(spec.is_ok());
  Graph zero_insert = spec.value(), sub_pixel = spec.value();
  {
    ScopedEnvVar env("TOONBOX_SUB_PIXEL_DECONV", "0");
    EXPECT_EQ(compile::lower_conv_transposes(zero_insert), 0);
  }
  EXPECT_EQ(compile::lower_conv_transposes(sub_pixel), 1);
}

// Real-CUGAN's deconvs are followed by LeakyReLU: after the sub-pixel lowering the
// activation sits behind the DepthToSpace and the crop, which it commutes with, and is
// fused into the conv: no Unary step is left, and the result is unchanged.
TEST(ConvTransposeLowering, ActivationBehindTheInterleaveIsFusedIntoTheConv) {
  const Deconv& d = kCases[0];
  const Shape x_shape{1, d.cin, 7, 9};
  Graph g = deconv_graph(d, x_shape);
  const int deconv_out = g.outputs()[0];
  const int act = g.add_node(OpKind::kUnary, "lrelu", {deconv_out}, UnaryParams{UnaryOp::kLeakyRelu, 0.1f, 0.f});
  g.set_outputs({act});
  auto spec = compile::specialize(g, {x_shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  Graph fused = spec.value();
  ASSERT_EQ(compile::lower_conv_transposes(fused), 1);
  EXPECT_EQ(compile::fuse_conv_activation(fused), 1) << fused.to_string();
  EXPECT_EQ(count_kind(fused, OpKind::kUnary), 0) << fused.to_string();
  const Tensor x = random_tensor(x_shape, 10);
  auto want = ops::reference_run(spec.value(), {x});
  auto got = ops::reference_run(fused, {x});
  ASSERT_TRUE(want.is_ok() && got.is_ok());
  const test::ErrorStats e = test::compare(got.value()[0], want.value()[0]);
  EXPECT_FALSE(e.has_nan);
  EXPECT_LE(e.max_abs, 1e-5);
}

}  // namespace
}  // namespace toonbox
