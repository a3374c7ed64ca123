// Whole graphs on the CUDA backend: a small multi-op net end to end, the planned arena,
// input validation, and out-of-memory behaviour.
#include <cstring>

#include "compile/fusion.h"
#include "compile/memory_planner.h"
#include "cuda_test_util.h"

using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

struct NetParam {
  Layout layout;
  Precision precision;
};
void PrintTo(const NetParam& p, std::ostream* os) {
  *os << layout_tag(p.layout) << " " << precision_tag(p.precision);
}

// x -> conv 3x3 (+bias) -> leaky relu -> bilinear resize x2 -> + skip -> / per-channel
// constant. Outputs: the division and the resize (a value read by a later node too).
Graph small_net(Layout layout, bool half_exact, Shape* x_shape, Shape* skip_shape) {
  const bool nhwc = layout == Layout::kNHWC;
  *x_shape = in_layout({1, 16, 20, 3}, layout);
  *skip_shape = in_layout({1, 32, 40, 8}, layout);
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, *x_shape);
  const int skip = g.add_input("skip", DType::kFloat32, *skip_shape);
  const float scale = 1.f / std::sqrt(27.f);
  const int w = g.add_constant("w", random_tensor({8, 3, 3, 3}, 61, -scale, scale, half_exact));
  const int b = g.add_constant("b", random_tensor({8}, 62, -0.5f, 0.5f, false));
  Conv2DParams cp;
  cp.layout = layout;
  cp.pad_mode = PadMode::kSameUpper;
  const int conv = g.add_node(OpKind::kConv2D, "conv", {x, w, b}, cp);
  const int act = g.add_node(OpKind::kUnary, "leaky", {conv}, UnaryParams{UnaryOp::kLeakyRelu, 0.2f, 0.f});
  ResizeParams rp;
  rp.layout = layout;
  rp.mode = ResizeMode::kBilinear;
  rp.coord = ResizeCoord::kHalfPixel;
  const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {32, 40}));
  const int up = g.add_node(OpKind::kResize, "up", {act, size}, rp);
  const int sum = g.add_node(OpKind::kBinary, "add", {up, skip}, BinaryParams{BinaryOp::kAdd});
  const int divisor = g.add_constant(
      "divisor", random_tensor(nhwc ? Shape{8} : Shape{8, 1, 1}, 63, 0.5f, 2.f, half_exact));
  const int out = g.add_node(OpKind::kBinary, "div", {sum, divisor}, BinaryParams{BinaryOp::kDiv});
  g.add_output(out);
  g.add_output(up);
  return g;
}

class CudaNetTest : public ::testing::TestWithParam<NetParam> {};

TEST_P(CudaNetTest, ConvLeakyResizeAddDivMatchesReference) {
  TB_REQUIRE_CUDA();
  const NetParam& n = GetParam();
  const bool half = is_fp16(n.precision);
  Shape x_shape, skip_shape;
  const Graph g = small_net(n.layout, half, &x_shape, &skip_shape);
  auto spec = specialize(g, {x_shape, skip_shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  Graph fused = spec.value();
  ASSERT_EQ(fuse_conv_activation(fused), 1) << "leaky relu should fuse into the conv";
  ASSERT_EQ(fused.nodes().size(), 4u);

  auto exe = cuda_env().backend->compile(fused, CompileOptions{n.precision});
  ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
  // Every activation lives in the one arena the planner laid out (no scratch here:
  // the 3x3 SAME stride-1 padding is symmetric).
  const size_t elem = half ? 2 : 4;
  const MemoryPlan plan = plan_memory(
      activation_requests(fused, [elem](const Value& v) { return static_cast<size_t>(shape_numel(v.shape)) * elem; }),
      256);
  EXPECT_EQ(exe.value()->arena_bytes(), plan.arena_bytes);

  const std::vector<Tensor> inputs = {random_tensor(x_shape, 64, -1.f, 1.f, half),
                                      random_tensor(skip_shape, 65, -1.f, 1.f, half)};
  std::vector<Tensor> got, again;
  RunTimings timings;
  ASSERT_TRUE(exe.value()->run(inputs, &got, &timings).is_ok());
  EXPECT_GT(timings.compute_ms, 0.0);
  EXPECT_GE(timings.upload_ms, 0.0);
  EXPECT_GE(timings.download_ms, 0.0);
  ReferenceOptions options;
  options.emulate_fp16_storage = half;
  // The reference runs the unfused graph: fusion must not change the result.
  auto want = reference_run(spec.value(), inputs, options);
  ASSERT_TRUE(want.is_ok());
  ASSERT_EQ(got.size(), 2u);
  expect_close(got[0], want.value()[0], n.precision, "net output");
  expect_close(got[1], want.value()[1], n.precision, "net resize output");

  // A second run of the same executable gives the same bits.
  ASSERT_TRUE(exe.value()->run(inputs, &again, nullptr).is_ok());
  ASSERT_EQ(again.size(), 2u);
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ(std::memcmp(got[i].raw(), again[i].raw(), got[i].nbytes()), 0) << "output " << i;
}

INSTANTIATE_TEST_SUITE_P(CudaNet, CudaNetTest,
                         ::testing::Values(NetParam{Layout::kNHWC, Precision::kFloat32},
                                           NetParam{Layout::kNHWC, Precision::kFloat16},
                                           NetParam{Layout::kNCHW, Precision::kFloat32},
                                           NetParam{Layout::kNCHW, Precision::kFloat16}),
                         [](const ::testing::TestParamInfo<NetParam>& info) {
                           return layout_tag(info.param.layout) + "_" + precision_tag(info.param.precision);
                         });

TEST(CudaExecutable, RejectsInputsOfTheWrongShapeOrCount) {
  TB_REQUIRE_CUDA();
  Shape x_shape, skip_shape;
  const Graph g = small_net(Layout::kNHWC, false, &x_shape, &skip_shape);
  auto spec = specialize(g, {x_shape, skip_shape});
  ASSERT_TRUE(spec.is_ok());
  auto exe = cuda_env().backend->compile(spec.value(), CompileOptions{});
  ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
  std::vector<Tensor> out;
  Status st = exe.value()->run({random_tensor(x_shape, 1, -1, 1, false)}, &out, nullptr);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.to_string();
  st = exe.value()->run({random_tensor({1, 16, 21, 3}, 1, -1, 1, false), random_tensor(skip_shape, 2, -1, 1, false)},
                        &out, nullptr);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.to_string();
  EXPECT_NE(st.message().find("[1,16,21,3]"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("[1,16,20,3]"), std::string::npos) << st.message();
}

TEST(CudaOutOfMemory, ArenaLargerThanTheDeviceFailsCleanlyAndTheBackendStaysUsable) {
  TB_REQUIRE_CUDA();
  Backend& backend = *cuda_env().backend;
  const size_t total = backend.device().memory_total;
  ASSERT_GT(total, 0u);
  // One 4 GiB input and enough 4 GiB outputs, all alive at the end, to exceed the device.
  const Shape big{1, 16384, 16384, 4};
  const size_t big_bytes = static_cast<size_t>(shape_numel(big)) * sizeof(float);
  const int copies = static_cast<int>(total / big_bytes) + 2;
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, big);
  for (int i = 0; i < copies; ++i)
    g.add_output(g.add_node(OpKind::kUnary, "neg" + std::to_string(i), {x}, UnaryParams{UnaryOp::kNeg}));
  auto spec = specialize(g, {big});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  auto exe = backend.compile(spec.value(), CompileOptions{Precision::kFloat32});
  ASSERT_FALSE(exe.is_ok());
  EXPECT_EQ(exe.status().code(), StatusCode::kOutOfMemory) << exe.status().to_string();
  EXPECT_NE(exe.status().message().find("arena"), std::string::npos) << exe.status().to_string();

  // The failure left the device and the backend in working order.
  Shape x_shape, skip_shape;
  const Graph net = small_net(Layout::kNHWC, false, &x_shape, &skip_shape);
  ASSERT_NO_FATAL_FAILURE(check_against_reference(
      net, {random_tensor(x_shape, 71, -1, 1, false), random_tensor(skip_shape, 72, -1, 1, false)},
      Precision::kFloat32, "net after OOM"));
}

// TOONBOX_CUDA_PROFILE_STEPS=1: the runs go step by step with events between them, give
// the same outputs, and the executable prints one line per step (slowest first) when it
// is destroyed.
TEST(CudaStepProfile, ProfiledRunsMatchAndPrintEveryStep) {
  TB_REQUIRE_CUDA();
  Shape x_shape, skip_shape;
  const Graph g = small_net(Layout::kNHWC, false, &x_shape, &skip_shape);
  auto spec = specialize(g, {x_shape, skip_shape});
  ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
  const Tensor x = random_tensor(x_shape, 71, -1.f, 1.f, false);
  const Tensor skip = random_tensor(skip_shape, 72, -1.f, 1.f, false);
  Backend& backend = *cuda_env().backend;
  std::vector<Tensor> plain;
  {
    auto exe = backend.compile(spec.value(), CompileOptions{Precision::kFloat32});
    ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
    ASSERT_TRUE(exe.value()->run({x, skip}, &plain, nullptr).is_ok());
  }
  std::vector<Tensor> profiled;
  testing::internal::CaptureStderr();
  {
    ScopedEnv profile("TOONBOX_CUDA_PROFILE_STEPS", "1");
    auto exe = backend.compile(spec.value(), CompileOptions{Precision::kFloat32});
    ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(exe.value()->run({x, skip}, &profiled, nullptr).is_ok());
  }
  const std::string log = testing::internal::GetCapturedStderr();
  ASSERT_EQ(profiled.size(), plain.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    ASSERT_EQ(profiled[i].nbytes(), plain[i].nbytes());
    EXPECT_EQ(std::memcmp(profiled[i].raw(), plain[i].raw(), plain[i].nbytes()), 0) << "output " << i;
  }
  const size_t steps = spec.value().nodes().size();
  EXPECT_NE(log.find("cuda profile: " + std::to_string(steps) + " steps, 3 runs"), std::string::npos) << log;
  size_t lines = 0;  // the header and one per step
  for (size_t at = log.find("cuda profile: "); at != std::string::npos; at = log.find("cuda profile: ", at + 1))
    ++lines;
  EXPECT_EQ(lines, steps + 1) << log;
  for (const char* node : {"'conv'", "'leaky'", "'up'", "'add'", "'div'"})
    EXPECT_NE(log.find(node), std::string::npos) << node << " missing from the profile:\n" << log;
}

}  // namespace
}  // namespace toonbox::cuda_test
