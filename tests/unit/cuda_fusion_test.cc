// The fast CUDA paths against the slow ones they replace, on the GPU, fp32 and fp16:
//   - cuDNN's graph API with bias + activation fused and TF's asymmetric SAME padding
//     passed to cuDNN (conv_graph_api.cc) against the legacy API + pad kernel + our
//     epilogue kernel (TOONBOX_CUDA_CONV_API=legacy), both against the reference;
//   - a run replayed from the captured CUDA graph against step-by-step launches
//     (TOONBOX_CUDA_GRAPHS=0), over several runs with different inputs (a replay that
//     read stale input or wrote the wrong buffer would repeat the first output).
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "cuda_test_util.h"

using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

// The White-box generator's convolution kinds (NHWC; channel counts and strides as there,
// sizes small): 7x7 3->32, stride-2 3x3 with TF SAME (pads 0 before, 1 after), 3x3 32->64,
// a residual block conv without activation, the 7x7 32->3 output conv.
struct FusionCase {
  const char* name;
  Shape nhwc;
  int k, kernel, stride;
  bool bias;
  Activation act;
};

const std::vector<FusionCase>& fusion_cases() {
  static const std::vector<FusionCase> cases = {
      {"k7_3to32_leaky", {1, 40, 36, 3}, 32, 7, 1, true, {UnaryOp::kLeakyRelu, 0.2f}},
      {"k3_s2_asym_leaky", {2, 40, 36, 32}, 32, 3, 2, true, {UnaryOp::kLeakyRelu, 0.2f}},
      {"k3_32to64_leaky", {1, 24, 20, 32}, 64, 3, 1, true, {UnaryOp::kLeakyRelu, 0.2f}},
      {"k3_128_bias_only", {1, 12, 10, 128}, 128, 3, 1, true, {}},
      {"k3_relu_nobias", {1, 16, 16, 16}, 16, 3, 1, false, {UnaryOp::kRelu}},
      {"k3_tanh", {1, 16, 12, 8}, 8, 3, 1, true, {UnaryOp::kTanh}},
      {"k3_sigmoid_s2", {1, 17, 15, 8}, 16, 3, 2, true, {UnaryOp::kSigmoid}},
      {"k7_32to3", {1, 40, 36, 32}, 3, 7, 1, true, {}},
  };
  return cases;
}

Graph fusion_graph(const FusionCase& c, bool half_exact) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, c.nhwc);
  const int64_t C = c.nhwc[3];
  const float scale = 1.f / std::sqrt(static_cast<float>(C * c.kernel * c.kernel));
  std::vector<int> inputs = {x, g.add_constant("w", random_tensor({c.k, C, c.kernel, c.kernel}, 31, -scale, scale,
                                                                  half_exact))};
  if (c.bias) inputs.push_back(g.add_constant("b", random_tensor({c.k}, 32, -0.5f, 0.5f, false)));
  Conv2DParams p;
  p.layout = Layout::kNHWC;
  p.stride_h = p.stride_w = c.stride;
  p.pad_mode = PadMode::kSameUpper;
  p.activation = c.act;
  g.add_output(g.add_node(OpKind::kConv2D, c.name, inputs, p));
  return g;
}

struct FusionParam {
  FusionCase c;
  Precision precision;
};
void PrintTo(const FusionParam& p, std::ostream* os) { *os << p.c.name << " " << precision_tag(p.precision); }

std::vector<FusionParam> fusion_params() {
  std::vector<FusionParam> out;
  for (const FusionCase& c : fusion_cases())
    for (Precision p : {Precision::kFloat32, Precision::kFloat16}) out.push_back({c, p});
  return out;
}

class CudaGraphApiConvTest : public ::testing::TestWithParam<FusionParam> {};

TEST_P(CudaGraphApiConvTest, FusedMatchesLegacyAndReference) {
  TB_REQUIRE_CUDA();
  // cuDNN's paths are under test: not our kernels that compete with them (7x7 32->3).
  ScopedEnv cudnn_only("TOONBOX_CUDA_CONV_CHOICE", "cudnn");
  const FusionParam& param = GetParam();
  const bool half = is_fp16(param.precision);
  const Graph g = fusion_graph(param.c, half);
  const Tensor x = random_tensor(param.c.nhwc, 41, -1.f, 1.f, half);

  const auto before = cuda_stats();
  std::vector<Tensor> fast, slow;
  ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {x}, param.precision, std::string(param.c.name) + " graph API",
                                                  &fast));
  const auto after = cuda_stats();
  {
    ScopedEnv legacy("TOONBOX_CUDA_CONV_API", "legacy");
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {x}, param.precision, std::string(param.c.name) + " legacy",
                                                    &slow));
  }
  EXPECT_EQ(cuda_stats().convs_cudnn_graph, after.convs_cudnn_graph) << "TOONBOX_CUDA_CONV_API=legacy ignored";
  expect_close(fast[0], slow[0], param.precision, std::string(param.c.name) + " graph API vs legacy");

  // fp16 NHWC is the fast path the graph API exists for: it must take it. Whether the
  // fused or the unfused engine wins is the timing's choice (both are checked above).
  if (half) {
    EXPECT_EQ(after.convs_cudnn_graph - before.convs_cudnn_graph, 1) << param.c.name << ": not on the graph API";
  }
  std::printf("[ note     ] %s %s: graph API %lld, fused %lld\n", param.c.name, precision_tag(param.precision).c_str(),
              static_cast<long long>(after.convs_cudnn_graph - before.convs_cudnn_graph),
              static_cast<long long>(after.convs_fused_epilogue - before.convs_fused_epilogue));
}

// The fused engines themselves, whatever the timing prefers: only fused variants allowed.
TEST_P(CudaGraphApiConvTest, ForcedFusedEngineMatchesReference) {
  TB_REQUIRE_CUDA();
  ScopedEnv cudnn_only("TOONBOX_CUDA_CONV_CHOICE", "cudnn");
  const FusionParam& param = GetParam();
  const bool half = is_fp16(param.precision);
  const Graph g = fusion_graph(param.c, half);
  const Tensor x = random_tensor(param.c.nhwc, 43, -1.f, 1.f, half);
  const auto before = cuda_stats();
  {
    ScopedEnv only_fused("TOONBOX_CUDA_CONV_VARIANTS", "fused");
    ASSERT_NO_FATAL_FAILURE(
        check_against_reference(g, {x}, param.precision, std::string(param.c.name) + " forced fused"));
  }
  const int64_t fused = cuda_stats().convs_fused_epilogue - before.convs_fused_epilogue;
  // The White-box 3x3 kinds (16+ channels, bias + Leaky/Relu or bias only) had fused fp16
  // engines on the H200 (cuDNN 9.19, engine 4); elsewhere a missing fused engine falls back.
  const std::string name = param.c.name;
  const bool expect_fused = half && param.c.kernel == 3 && param.c.nhwc[3] >= 16 &&
                            (param.c.act.op == UnaryOp::kLeakyRelu || param.c.act.op == UnaryOp::kRelu ||
                             param.c.act.op == UnaryOp::kIdentity);
  if (expect_fused) {
    EXPECT_EQ(fused, 1) << name << ": no fused cuDNN engine";
  }
  std::printf("[ note     ] %s %s forced fused: %lld\n", param.c.name, precision_tag(param.precision).c_str(),
              static_cast<long long>(fused));
}

INSTANTIATE_TEST_SUITE_P(CudaGraphApiConv, CudaGraphApiConvTest, ::testing::ValuesIn(fusion_params()),
                         [](const ::testing::TestParamInfo<FusionParam>& info) {
                           return std::string(info.param.c.name) + "_" + precision_tag(info.param.precision);
                         });

// conv (stride 2) -> leaky -> conv -> + skip -> 1x1 conv (cuBLAS) -> resize x2: several
// kinds of step in one captured graph.
Graph capture_graph(bool half_exact) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {2, 16, 20, 8});
  auto conv = [&](int in, int64_t cin, int64_t cout, int k, int stride, Activation act, const char* name) {
    const float scale = 1.f / std::sqrt(static_cast<float>(cin * k * k));
    Conv2DParams p;
    p.stride_h = p.stride_w = stride;
    p.pad_mode = PadMode::kSameUpper;
    p.activation = act;
    const int w = g.add_constant(std::string(name) + "_w", random_tensor({cout, cin, k, k}, 51 + k, -scale, scale,
                                                                         half_exact));
    const int b = g.add_constant(std::string(name) + "_b", random_tensor({cout}, 52, -0.3f, 0.3f, false));
    return g.add_node(OpKind::kConv2D, name, {in, w, b}, p);
  };
  const int a = conv(x, 8, 16, 3, 2, {UnaryOp::kLeakyRelu, 0.2f}, "down");
  const int b = conv(a, 16, 16, 3, 1, {}, "mid");
  const int sum = g.add_node(OpKind::kBinary, "skip", {a, b}, BinaryParams{BinaryOp::kAdd});
  const int c = conv(sum, 16, 8, 1, 1, {UnaryOp::kRelu}, "proj");
  ResizeParams r;
  r.mode = ResizeMode::kBilinear;
  const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {16, 20}));
  g.add_output(g.add_node(OpKind::kResize, "up", {c, size}, r));
  return g;
}

class CudaGraphCaptureTest : public ::testing::TestWithParam<Precision> {};

TEST_P(CudaGraphCaptureTest, ReplaysMatchStepByStepRuns) {
  TB_REQUIRE_CUDA();
  const Precision precision = GetParam();
  const bool half = is_fp16(precision);
  const Graph g = capture_graph(half);
  auto spec = specialize(g, input_shapes(g));
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string() << "\n" << g.to_string();
  Backend& backend = *cuda_env().backend;

  auto replayed = backend.compile(spec.value(), CompileOptions{precision});
  ASSERT_TRUE(replayed.is_ok()) << replayed.status().to_string();
  std::unique_ptr<Executable> stepwise;
  {
    ScopedEnv off("TOONBOX_CUDA_GRAPHS", "0");
    auto e = backend.compile(spec.value(), CompileOptions{precision});  // same shapes: the cached algorithms
    ASSERT_TRUE(e.is_ok()) << e.status().to_string();
    stepwise = std::move(e).value();
  }
  const auto s0 = cuda_stats();
  ReferenceOptions ref_options;
  ref_options.emulate_fp16_storage = half;
  for (int run = 0; run < 4; ++run) {
    const Tensor x = random_tensor(input_shapes(g)[0], 60 + run, -1.f, 1.f, half);
    std::vector<Tensor> a, b;
    ASSERT_TRUE(replayed.value()->run({x}, &a, nullptr).is_ok());
    {
      ScopedEnv off("TOONBOX_CUDA_GRAPHS", "0");
      ASSERT_TRUE(stepwise->run({x}, &b, nullptr).is_ok());
    }
    ASSERT_EQ(a[0].nbytes(), b[0].nbytes());
    EXPECT_EQ(std::memcmp(a[0].raw(), b[0].raw(), a[0].nbytes()), 0) << "run " << run << ": replay differs";
    auto want = reference_run(spec.value(), {x}, ref_options);
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    expect_close(a[0], want.value()[0], precision, "captured graph run " + std::to_string(run));
  }
  const auto s1 = cuda_stats();
  // Run 0 step by step, run 1 captured and launched, runs 2 and 3 replayed.
  EXPECT_EQ(s1.graph_captures - s0.graph_captures, 1);
  EXPECT_EQ(s1.graph_launches - s0.graph_launches, 3);
}

INSTANTIATE_TEST_SUITE_P(CudaGraphCapture, CudaGraphCaptureTest,
                         ::testing::Values(Precision::kFloat32, Precision::kFloat16),
                         [](const ::testing::TestParamInfo<Precision>& info) { return precision_tag(info.param); });

// The algorithm cache on disk: a second process compiling a shape the first one searched
// finds the choice in the file and does not search.
Graph disk_cache_graph() {
  const FusionCase c{"disk_cache_probe", {1, 19, 21, 24}, 40, 3, 1, true, {UnaryOp::kLeakyRelu, 0.1f}};
  return fusion_graph(c, true);
}

TEST(CudaConvAlgoDiskCache, ASecondProcessDoesNotSearch) {
  TB_REQUIRE_CUDA();
  if (std::getenv("TOONBOX_TEST_ALGO_CHILD") != nullptr) GTEST_SKIP() << "the child runs the other test";
  const Graph g = disk_cache_graph();
  auto spec = specialize(g, input_shapes(g));
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  auto exe = cuda_env().backend->compile(spec.value(), CompileOptions{Precision::kFloat16});
  ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
  expect_child_test_passes("CudaConvAlgoDiskCache.ChildFindsTheChoiceOnDisk");
}

TEST(CudaConvAlgoDiskCache, ChildFindsTheChoiceOnDisk) {
  TB_REQUIRE_CUDA();
  if (std::getenv("TOONBOX_TEST_ALGO_CHILD") == nullptr) GTEST_SKIP() << "run as a child by ASecondProcessDoesNotSearch";
  const Graph g = disk_cache_graph();
  auto spec = specialize(g, input_shapes(g));
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  const auto s0 = cuda_stats();
  auto exe = cuda_env().backend->compile(spec.value(), CompileOptions{Precision::kFloat16});
  ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
  const auto s1 = cuda_stats();
  EXPECT_GT(s1.conv_algo_disk_loaded, 0) << "nothing read from the cache file";
  EXPECT_EQ(s1.conv_algo_searches, s0.conv_algo_searches) << "searched although the parent's choice is on disk";
  EXPECT_GE(s1.conv_algo_cache_hits - s0.conv_algo_cache_hits, 1);
  // The cached choice computes the same function.
  const Tensor x = random_tensor(input_shapes(g)[0], 71, -1.f, 1.f, true);
  std::vector<Tensor> got;
  ASSERT_TRUE(exe.value()->run({x}, &got, nullptr).is_ok());
  ReferenceOptions options;
  options.emulate_fp16_storage = true;
  auto want = reference_run(spec.value(), {x}, options);
  ASSERT_TRUE(want.is_ok());
  expect_close(got[0], want.value()[0], Precision::kFloat16, "conv from the disk cache");
}

}  // namespace
}  // namespace toonbox::cuda_test
