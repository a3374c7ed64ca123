// Conv2D on the CUDA backend (cuDNN, and cuBLAS for 1x1 NHWC) against the reference,
// in both layouts and precisions; the cuDNN algorithm cache, and the cached timing of our
// kernels against cuDNN.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cuda_test_util.h"

using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

struct ConvCase {
  const char* name;
  Shape nhwc;  // input as N, H, W, C
  int out_channels, kh, kw;
  int stride = 1, dilation = 1, groups = 1;
  PadMode pad = PadMode::kSameUpper;
  std::array<int, 4> pads{};  // top, bottom, left, right when kExplicit
  bool bias = true;
  Activation act;
  bool asymmetric = false;  // the resolved padding must differ before/after
};

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {"k3_s1_same_relu", {1, 7, 9, 3}, 8, 3, 3, 1, 1, 1, PadMode::kSameUpper, {}, true, {UnaryOp::kRelu}},
      // TensorFlow SAME with stride 2 on even sizes: pads 0 before, 1 after.
      {"k3_s2_same_asym", {2, 12, 10, 5}, 6, 3, 3, 2, 1, 1, PadMode::kSameUpper, {}, true, {}, true},
      // 4x4 stride 2 on odd sizes: pads 1 before, 2 after.
      {"k4_s2_same_asym_leaky", {2, 13, 11, 5}, 7, 4, 4, 2, 1, 1, PadMode::kSameUpper, {}, true,
       {UnaryOp::kLeakyRelu, 0.2f}, true},
      // 16 channels: the pad kernel moves 16-byte packs (8 halves, 4 floats) in NHWC.
      {"k3_s2_same_asym_c16", {1, 12, 10, 16}, 8, 3, 3, 2, 1, 1, PadMode::kSameUpper, {}, true, {}, true},
      {"k3_same_lower_s2_asym_sigmoid", {1, 10, 12, 4}, 5, 3, 3, 2, 1, 1, PadMode::kSameLower, {}, true,
       {UnaryOp::kSigmoid}, true},
      {"explicit_asym_top_heavy", {1, 8, 9, 4}, 4, 3, 3, 1, 1, 1, PadMode::kExplicit, {2, 0, 0, 1}, true, {}, true},
      {"k3_dil2_tanh", {1, 11, 13, 4}, 5, 3, 3, 1, 2, 1, PadMode::kExplicit, {2, 2, 2, 2}, false, {UnaryOp::kTanh}},
      {"k3_dil2_valid_sigmoid", {2, 9, 10, 3}, 4, 3, 3, 1, 2, 1, PadMode::kValid, {}, true, {UnaryOp::kSigmoid}},
      {"k3_groups2_clip", {1, 9, 7, 4}, 6, 3, 3, 1, 1, 2, PadMode::kSameUpper, {}, true,
       {UnaryOp::kClip, -0.5f, 0.5f}},
      {"depthwise_relu", {2, 10, 9, 8}, 8, 3, 3, 1, 1, 8, PadMode::kSameUpper, {}, true, {UnaryOp::kRelu}},
      // The guided filter's box filter (White-box): large enough that the timed choice
      // between cuDNN and the direct kernel (conv_steps.cc) is a real one.
      {"depthwise_box_256", {1, 256, 256, 3}, 3, 3, 3, 1, 1, 3, PadMode::kSameUpper, {}, false, {}},
      // The depthwise row kernels' other forms: stride 1 with four outputs per thread (5x5,
      // a channel multiplier), 5x5 dilated (fixed taps), 7x7 (runtime taps).
      {"depthwise_k5_s1", {1, 9, 14, 6}, 6, 5, 5, 1, 1, 6, PadMode::kSameUpper, {}, true, {}},
      {"depthwise_mult2_s1_relu", {1, 8, 11, 4}, 8, 3, 3, 1, 1, 4, PadMode::kSameUpper, {}, true, {UnaryOp::kRelu}},
      {"depthwise_k5_dil2", {1, 12, 11, 4}, 4, 5, 5, 1, 2, 4, PadMode::kExplicit, {4, 3, 4, 2}, true,
       {UnaryOp::kLeakyRelu, 0.2f}},
      {"depthwise_k7_s2_asym", {2, 16, 14, 5}, 5, 7, 7, 2, 1, 5, PadMode::kSameUpper, {}, true, {}, true},
      {"depthwise_mult2_s2_asym", {1, 11, 12, 6}, 12, 3, 3, 2, 1, 6, PadMode::kSameUpper, {}, true, {}, true},
      {"k7_s1_leaky", {1, 17, 19, 3}, 32, 7, 7, 1, 1, 1, PadMode::kExplicit, {3, 3, 3, 3}, true,
       {UnaryOp::kLeakyRelu, 0.2f}},
      // Few output channels from a multiple of 16 inputs, stride 1: in fp16 NHWC our
      // tensor-core kernel competes with cuDNN (White-box's 7x7 32->3 output conv; widths
      // that leave partial 16-pixel tiles).
      {"k7_c32_to3_output", {1, 20, 37, 32}, 3, 7, 7, 1, 1, 1, PadMode::kExplicit, {3, 3, 3, 3}, true, {}},
      {"k3_c16_to5_leaky", {2, 9, 18, 16}, 5, 3, 3, 1, 1, 1, PadMode::kSameUpper, {}, true,
       {UnaryOp::kLeakyRelu, 0.2f}},
      {"k5_c48_to8_asym_nobias", {1, 11, 21, 48}, 8, 5, 5, 1, 1, 1, PadMode::kExplicit, {1, 3, 4, 0}, false,
       {UnaryOp::kTanh}},
      // Rows wider than one block (122 outputs for a 7-wide kernel), and the largest
      // layout: 9 taps x 8 outputs = 9 column tiles, 64 channels (66 KB of shared memory).
      {"k7_c16_to2_wide", {1, 5, 300, 16}, 2, 7, 7, 1, 1, 1, PadMode::kExplicit, {3, 3, 3, 3}, true, {}},
      {"k9_c64_to8_wide", {1, 4, 200, 64}, 8, 9, 9, 1, 1, 1, PadMode::kExplicit, {4, 4, 4, 4}, true,
       {UnaryOp::kLeakyRelu, 0.2f}},
      // Few input channels (<= 4) to a multiple of 8 outputs, stride 1: in fp16 NHWC our
      // other tensor-core kernel competes (White-box's 7x7 3->32 input conv is k7_s1_leaky;
      // here one channel, 3 output tiles, a partial 128-pixel block, two images; and an
      // even 8-row kernel on 4 channels).
      {"k5_c1_to24_wide_nobias", {2, 6, 150, 1}, 24, 5, 5, 1, 1, 1, PadMode::kExplicit, {2, 2, 1, 3}, false,
       {UnaryOp::kTanh}},
      {"k8x3_c4_to16_relu", {1, 10, 130, 4}, 16, 8, 3, 1, 1, 1, PadMode::kSameUpper, {}, true, {UnaryOp::kRelu}},
      {"k1x1_relu", {2, 13, 11, 5}, 7, 1, 1, 1, 1, 1, PadMode::kValid, {}, true, {UnaryOp::kRelu}},
      {"k1x1_nobias", {1, 6, 7, 3}, 5, 1, 1, 1, 1, 1, PadMode::kValid, {}, false, {}},
      {"k1x1_s2", {1, 9, 9, 8}, 4, 1, 1, 2, 1, 1, PadMode::kValid, {}, true, {}},
      {"k1x1_wide_sigmoid", {1, 16, 16, 64}, 128, 1, 1, 1, 1, 1, PadMode::kValid, {}, true, {UnaryOp::kSigmoid}},
      {"k3_wide_leaky", {1, 32, 32, 32}, 64, 3, 3, 1, 1, 1, PadMode::kSameUpper, {}, true,
       {UnaryOp::kLeakyRelu, 0.2f}},
  };
  return cases;
}

struct ConvParam {
  ConvCase c;
  Layout layout;
  Precision precision;
};
void PrintTo(const ConvParam& p, std::ostream* os) {
  *os << p.c.name << " " << layout_tag(p.layout) << " " << precision_tag(p.precision);
}

std::vector<ConvParam> conv_params() {
  std::vector<ConvParam> out;
  for (const ConvCase& c : conv_cases())
    for (Layout l : {Layout::kNHWC, Layout::kNCHW})
      for (Precision p : {Precision::kFloat32, Precision::kTf32, Precision::kFloat16}) out.push_back({c, l, p});
  return out;
}

// Builds input -> Conv2D -> output; weights scaled by 1/sqrt(fan-in) so outputs are O(1).
Graph conv_graph(const ConvCase& c, Layout layout, bool half_exact, Shape* input_shape) {
  const int64_t C = c.nhwc[3];
  *input_shape = in_layout(c.nhwc, layout);
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, *input_shape);
  const int64_t cg = C / c.groups;
  const float scale = 1.f / std::sqrt(static_cast<float>(cg * c.kh * c.kw));
  std::vector<int> inputs = {x, g.add_constant("w", random_tensor({c.out_channels, cg, c.kh, c.kw}, 11, -scale,
                                                                  scale, half_exact))};
  if (c.bias) inputs.push_back(g.add_constant("b", random_tensor({c.out_channels}, 12, -0.5f, 0.5f, false)));
  Conv2DParams p;
  p.layout = layout;
  p.stride_h = p.stride_w = c.stride;
  p.dilation_h = p.dilation_w = c.dilation;
  p.groups = c.groups;
  p.pad_mode = c.pad;
  p.pad_top = c.pads[0];
  p.pad_bottom = c.pads[1];
  p.pad_left = c.pads[2];
  p.pad_right = c.pads[3];
  p.activation = c.act;
  g.add_output(g.add_node(OpKind::kConv2D, c.name, inputs, p));
  return g;
}

class CudaConvTest : public ::testing::TestWithParam<ConvParam> {};

TEST_P(CudaConvTest, MatchesReference) {
  TB_REQUIRE_CUDA();
  const ConvParam& param = GetParam();
  const ConvCase& c = param.c;
  const bool half = is_fp16(param.precision);
  Shape shape;
  const Graph g = conv_graph(c, param.layout, half, &shape);

  // The case covers what its name says: asymmetric cases resolve to unequal padding.
  auto spec = specialize(g, {shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  const auto& p = spec.value().nodes()[0].p<Conv2DParams>();
  if (c.asymmetric) {
    EXPECT_TRUE(p.pad_top != p.pad_bottom || p.pad_left != p.pad_right) << spec.value().to_string();
  }
  const bool gemm = param.layout == Layout::kNHWC && c.kh == 1 && c.kw == 1 && c.stride == 1 && c.groups == 1 &&
                    p.pad_top == 0 && p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0;

  const auto before = cuda_stats();
  const Tensor x = random_tensor(shape, 21, -1.f, 1.f, half);
  ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {x}, param.precision, c.name));
  const auto after = cuda_stats();
  // 1x1 stride-1 unpadded NHWC convs are one GEMM; everything else goes to cuDNN, or to
  // the direct kernel where cuDNN offers no algorithm or (depthwise) where it timed faster:
  // exactly one of them is counted.
  EXPECT_EQ(after.convs_cublas - before.convs_cublas, gemm ? 1 : 0);
  EXPECT_EQ((after.convs_cudnn - before.convs_cudnn) + (after.convs_direct - before.convs_direct), gemm ? 0 : 1);
  if (after.convs_direct != before.convs_direct)
    std::printf("[ note     ] %s: cuDNN had no algorithm, ran on the direct kernel\n", c.name);
}

// The direct kernel (the fallback) against the reference on every case.
TEST_P(CudaConvTest, DirectKernelMatchesReference) {
  TB_REQUIRE_CUDA();
  const ConvParam& param = GetParam();
  const bool half = is_fp16(param.precision);
  Shape shape;
  const Graph g = conv_graph(param.c, param.layout, half, &shape);
  const Tensor x = random_tensor(shape, 22, -1.f, 1.f, half);
  const auto before = cuda_stats();
  {
    struct ForceDirect {  // unset even when an assertion returns early
      ForceDirect() { ::setenv("TOONBOX_CUDA_FORCE_DIRECT_CONV", "1", 1); }
      ~ForceDirect() { ::unsetenv("TOONBOX_CUDA_FORCE_DIRECT_CONV"); }
    } force;
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {x}, param.precision, std::string(param.c.name) + " direct"));
  }
  EXPECT_EQ(cuda_stats().convs_direct - before.convs_direct, 1);
}

INSTANTIATE_TEST_SUITE_P(CudaConv, CudaConvTest, ::testing::ValuesIn(conv_params()),
                         [](const ::testing::TestParamInfo<ConvParam>& info) {
                           return std::string(info.param.c.name) + "_" + layout_tag(info.param.layout) + "_" +
                                  precision_tag(info.param.precision);
                         });

// Where one of our kernels competes with cuDNN (depthwise convs; few outputs in fp16
// NHWC), that kernel forced, whatever the timing would pick.
TEST_P(CudaConvTest, OwnKernelMatchesReference) {
  TB_REQUIRE_CUDA();
  const ConvParam& param = GetParam();
  const ConvCase& c = param.c;
  const bool half = is_fp16(param.precision);
  Shape shape;
  const Graph g = conv_graph(c, param.layout, half, &shape);
  const Tensor x = random_tensor(shape, 24, -1.f, 1.f, half);
  const bool depthwise = c.groups > 1 && c.groups == c.nhwc[3];
  const bool small_channels = half && param.layout == Layout::kNHWC && c.groups == 1 && c.stride == 1 && c.dilation == 1;
  const bool few_outputs = small_channels && c.nhwc[3] % 16 == 0 && c.out_channels <= 8;
  const bool few_inputs = small_channels && c.nhwc[3] <= 4 && c.out_channels % 8 == 0 && c.out_channels <= 32 &&
                          c.kh <= 8 && c.kw <= 8;
  const auto before = cuda_stats();
  {
    ScopedEnv own("TOONBOX_CUDA_CONV_CHOICE", "own");
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {x}, param.precision, std::string(c.name) + " own kernel"));
  }
  const auto after = cuda_stats();
  if (depthwise || few_outputs || few_inputs) {
    EXPECT_EQ(after.convs_direct - before.convs_direct, 1) << c.name << ": our kernel was not chosen";
  }
}

// An asymmetrically padded conv with only the variants that run our pad kernel (the
// timing may prefer cuDNN's own padding, which would leave the kernel untested).
class CudaConvPadTest : public ::testing::TestWithParam<ConvParam> {};

std::vector<ConvParam> asymmetric_conv_params() {
  std::vector<ConvParam> out;
  for (const ConvParam& p : conv_params())
    if (p.c.asymmetric && p.c.groups == 1) out.push_back(p);
  return out;
}

TEST_P(CudaConvPadTest, PadKernelVariantMatchesReference) {
  TB_REQUIRE_CUDA();
  const ConvParam& param = GetParam();
  const bool half = is_fp16(param.precision);
  Shape shape;
  const Graph g = conv_graph(param.c, param.layout, half, &shape);
  const Tensor x = random_tensor(shape, 23, -1.f, 1.f, half);
  ScopedEnv pad_only("TOONBOX_CUDA_CONV_VARIANTS", "pad");
  ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {x}, param.precision, std::string(param.c.name) + " pad kernel"));
}

INSTANTIATE_TEST_SUITE_P(CudaConv, CudaConvPadTest, ::testing::ValuesIn(asymmetric_conv_params()),
                         [](const ::testing::TestParamInfo<ConvParam>& info) {
                           return std::string(info.param.c.name) + "_" + layout_tag(info.param.layout) + "_" +
                                  precision_tag(info.param.precision);
                         });

TEST(CudaConvAlgoCache, SecondCompileOfTheSameShapeDoesNotSearch) {
  TB_REQUIRE_CUDA();
  // A shape no other test uses, so the first compile must search; the cache is
  // process-wide, so each repetition (--gtest_repeat) takes a new output width.
  static int repetition = 0;
  const ConvCase c{"algo_cache_probe", {1, 23, 29, 13}, 17 + repetition++, 3, 3, 1, 1, 1, PadMode::kSameUpper, {},
                   true, {}};
  Shape shape;
  const Graph g = conv_graph(c, Layout::kNHWC, false, &shape);
  auto spec = specialize(g, {shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  Backend& backend = *cuda_env().backend;

  const auto s0 = cuda_stats();
  auto first = backend.compile(spec.value(), CompileOptions{Precision::kFloat32});
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  const auto s1 = cuda_stats();
  // One search, or two when the graph API has no engine (its "none" is cached too) and
  // the legacy API searches after it.
  const bool graph_api = s1.convs_cudnn_graph > s0.convs_cudnn_graph;
  EXPECT_EQ(s1.conv_algo_searches - s0.conv_algo_searches, graph_api ? 1 : 2);
  EXPECT_EQ(s1.conv_algo_cache_entries - s0.conv_algo_cache_entries, graph_api ? 1 : 2);

  auto second = backend.compile(spec.value(), CompileOptions{Precision::kFloat32});
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  const auto s2 = cuda_stats();
  EXPECT_EQ(s2.conv_algo_searches, s1.conv_algo_searches) << "the second compile searched again";
  EXPECT_EQ(s2.conv_algo_cache_hits - s1.conv_algo_cache_hits, graph_api ? 1 : 2);

  // The precision is part of the key: fp16 searches for itself (once on the graph API).
  auto half = backend.compile(spec.value(), CompileOptions{Precision::kFloat16});
  ASSERT_TRUE(half.is_ok()) << half.status().to_string();
  const auto s3 = cuda_stats();
  EXPECT_EQ(s3.conv_algo_searches - s2.conv_algo_searches, s3.convs_cudnn_graph > s2.convs_cudnn_graph ? 1 : 2);

  // Both fp32 executables use the cached choice and agree exactly.
  const Tensor x = random_tensor(shape, 5, -1.f, 1.f, false);
  std::vector<Tensor> a, b;
  ASSERT_TRUE(first.value()->run({x}, &a, nullptr).is_ok());
  ASSERT_TRUE(second.value()->run({x}, &b, nullptr).is_ok());
  ASSERT_EQ(a[0].nbytes(), b[0].nbytes());
  EXPECT_EQ(std::memcmp(a[0].raw(), b[0].raw(), a[0].nbytes()), 0);
  auto want = reference_run(spec.value(), {x});
  ASSERT_TRUE(want.is_ok());
  expect_close(a[0], want.value()[0], Precision::kFloat32, "cached conv");
}

// --precision tf32 really multiplies in TF32: a 1x1 conv (one cuBLAS GEMM, 4096 x 256 x
// 256, large enough that cuBLAS takes tensor cores) computes other bits than strict fp32,
// both within their tolerance of the float64 reference; and a 3x3 conv through cuDNN
// stays within tf32's (which engine it takes is cuDNN's choice).
TEST(CudaTf32, GemmsRoundLikeTf32AndConvsAgree) {
  TB_REQUIRE_CUDA();
  Backend& backend = *cuda_env().backend;
  ASSERT_TRUE(backend.supports(Precision::kTf32));
  const ConvCase gemm{"tf32_gemm", {1, 64, 64, 256}, 256, 1, 1, 1, 1, 1, PadMode::kValid, {}, true, {}};
  Shape shape;
  const Graph g = conv_graph(gemm, Layout::kNHWC, false, &shape);
  auto spec = specialize(g, {shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  const Tensor x = random_tensor(shape, 31, -1.f, 1.f, false);
  auto want = reference_run(spec.value(), {x});
  ASSERT_TRUE(want.is_ok());
  std::vector<Tensor> strict, tf32;
  for (auto [p, out] : {std::pair{Precision::kFloat32, &strict}, std::pair{Precision::kTf32, &tf32}}) {
    auto exe = backend.compile(spec.value(), CompileOptions{p});
    ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
    ASSERT_TRUE(exe.value()->run({x}, out, nullptr).is_ok());
  }
  const ErrorStats strict_err = compare(strict[0], want.value()[0]), tf32_err = compare(tf32[0], want.value()[0]);
  std::printf("[ measure  ] 1x1 conv K=256: max abs error fp32 %.3g, tf32 %.3g (NMSE %.3g, %.3g)\n",
              strict_err.max_abs, tf32_err.max_abs, strict_err.nmse, tf32_err.nmse);
  expect_close(strict[0], want.value()[0], Precision::kFloat32, "1x1 conv fp32");
  expect_close(tf32[0], want.value()[0], Precision::kTf32, "1x1 conv tf32");
  EXPECT_NE(std::memcmp(strict[0].raw(), tf32[0].raw(), strict[0].nbytes()), 0) << "tf32 computed strict fp32";
  EXPECT_GT(tf32_err.max_abs, 10 * strict_err.max_abs) << "tf32 is not rounding the products";

  const ConvCase conv{"tf32_conv", {1, 32, 32, 32}, 64, 3, 3, 1, 1, 1, PadMode::kSameUpper, {}, true, {}};
  for (Layout l : {Layout::kNHWC, Layout::kNCHW}) {
    const Graph g3 = conv_graph(conv, l, false, &shape);
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g3, {random_tensor(shape, 32, -1.f, 1.f, false)},
                                                    Precision::kTf32, std::string("3x3 conv tf32 ") + layout_tag(l)));
  }
}

// Where one of our kernels competes with cuDNN (a depthwise conv here), the timing is
// cached like cuDNN's searches: a second compile of the same conv takes the recorded
// choice instead of timing both again, and computes the same function.
TEST(CudaConvTimedChoice, SecondCompileTakesTheCachedChoice) {
  TB_REQUIRE_CUDA();
  static int repetition = 0;  // a new shape per --gtest_repeat: the cache is process-wide
  const ConvCase c{"timed_choice_probe", {1, 37 + repetition++, 41, 6}, 6, 3, 3, 1, 1, 6, PadMode::kSameUpper, {},
                   true, {}};
  Shape shape;
  const Graph g = conv_graph(c, Layout::kNHWC, true, &shape);
  auto spec = specialize(g, {shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  Backend& backend = *cuda_env().backend;
  ScopedEnv unforced("TOONBOX_CUDA_CONV_CHOICE", "timed");  // neither side forced

  const auto s0 = cuda_stats();
  auto first = backend.compile(spec.value(), CompileOptions{Precision::kFloat16});
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  const auto s1 = cuda_stats();
  EXPECT_EQ(s1.conv_choices_timed - s0.conv_choices_timed, 1) << "the depthwise conv was not timed against cuDNN";
  EXPECT_EQ(s1.conv_choices_cached, s0.conv_choices_cached);

  auto second = backend.compile(spec.value(), CompileOptions{Precision::kFloat16});
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  const auto s2 = cuda_stats();
  EXPECT_EQ(s2.conv_choices_timed, s1.conv_choices_timed) << "the second compile timed again";
  EXPECT_EQ(s2.conv_choices_cached - s1.conv_choices_cached, 1);

  const Tensor x = random_tensor(shape, 6, -1.f, 1.f, true);
  std::vector<Tensor> a, b;
  ASSERT_TRUE(first.value()->run({x}, &a, nullptr).is_ok());
  ASSERT_TRUE(second.value()->run({x}, &b, nullptr).is_ok());
  ASSERT_EQ(a[0].nbytes(), b[0].nbytes());
  EXPECT_EQ(std::memcmp(a[0].raw(), b[0].raw(), a[0].nbytes()), 0) << "the cached choice is another kernel";
  ReferenceOptions options;
  options.emulate_fp16_storage = true;
  auto want = reference_run(spec.value(), {x}, options);
  ASSERT_TRUE(want.is_ok());
  expect_close(b[0], want.value()[0], Precision::kFloat16, "conv from the cached choice");
}

// The same across processes, through the per-GPU file: the child compiles the parent's
// convolution without timing anything (a cold start pays no timing for known shapes).
const ConvCase& disk_choice_case() {
  static const ConvCase c{"timed_choice_disk_probe", {1, 29, 53, 6}, 6, 3, 3, 1, 1, 6, PadMode::kSameUpper, {},
                          true, {}};
  return c;
}

TEST(CudaConvTimedChoiceDisk, ASecondProcessDoesNotTimeAgain) {
  TB_REQUIRE_CUDA();
  if (std::getenv("TOONBOX_TEST_ALGO_CHILD") != nullptr) GTEST_SKIP() << "the child runs the other test";
  Shape shape;
  const Graph g = conv_graph(disk_choice_case(), Layout::kNHWC, true, &shape);
  auto spec = specialize(g, {shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  ScopedEnv unforced("TOONBOX_CUDA_CONV_CHOICE", "timed");  // neither side forced
  auto exe = cuda_env().backend->compile(spec.value(), CompileOptions{Precision::kFloat16});
  ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
  expect_child_test_passes("CudaConvTimedChoiceDisk.ChildTakesTheChoiceFromDisk");
}

TEST(CudaConvTimedChoiceDisk, ChildTakesTheChoiceFromDisk) {
  TB_REQUIRE_CUDA();
  if (std::getenv("TOONBOX_TEST_ALGO_CHILD") == nullptr) GTEST_SKIP() << "run as a child by ASecondProcessDoesNotTimeAgain";
  Shape shape;
  const Graph g = conv_graph(disk_choice_case(), Layout::kNHWC, true, &shape);
  auto spec = specialize(g, {shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  ScopedEnv unforced("TOONBOX_CUDA_CONV_CHOICE", "timed");  // neither side forced
  const auto s0 = cuda_stats();
  auto exe = cuda_env().backend->compile(spec.value(), CompileOptions{Precision::kFloat16});
  ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
  const auto s1 = cuda_stats();
  EXPECT_EQ(s1.conv_choices_timed, s0.conv_choices_timed) << "timed although the parent's choice is on disk";
  EXPECT_EQ(s1.conv_choices_cached - s0.conv_choices_cached, 1);
}

}  // namespace
}  // namespace toonbox::cuda_test
