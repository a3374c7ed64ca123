// A depthwise conv and the Div of its output run as one step (depthwise_div_fusion.h),
// built the way White-box's guided filter is: box means box(v) / N, N = box(ones) per
// pixel, the Div not right after the conv. Against the reference, and against the
// two-step run (TOONBOX_CUDA_FUSE_DEPTHWISE_DIV=0), exactly in fp32; the step log shows
// the Div folded in. A divisor computed after the conv, or a conv output read twice,
// is left unfused and still right.
#include <cstring>

#include "cuda_test_util.h"

using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

enum class Divisor {
  kWindowCount,      // box(ones [1, H, W, 1]): White-box's N, broadcast over batch and channels
  kSameShapeInput,   // a graph input shaped like the output
  kScalar,           // a one-element constant
  kComputedLater,    // x * 2, computed after the conv: not fusable
};

struct DepthwiseDivParam {
  Precision precision;
  int taps;  // 3 (White-box), 5, or 7 (the row kernel with runtime taps)
  Divisor divisor;
  bool conv_read_twice;  // the box sum is a graph output too: not fusable
};

void PrintTo(const DepthwiseDivParam& p, std::ostream* os) {
  *os << precision_tag(p.precision) << " k" << p.taps << " divisor " << static_cast<int>(p.divisor)
      << (p.conv_read_twice ? " read twice" : "");
}

int box_conv(Graph& g, const std::string& name, int input, int channels, int taps, bool ones) {
  Conv2DParams p;
  p.layout = Layout::kNHWC;
  p.groups = channels;
  p.pad_mode = PadMode::kSameUpper;
  const Tensor w = ones ? Tensor::from_vector<float>({channels, 1, taps, taps},
                                                     std::vector<float>(static_cast<size_t>(channels) * taps * taps, 1.f))
                        : random_tensor({channels, 1, taps, taps}, 31, -0.5f, 0.5f, true);
  return g.add_node(OpKind::kConv2D, name, {input, g.add_constant(name + "/w", w)}, p);
}

class CudaDepthwiseDivTest : public ::testing::TestWithParam<DepthwiseDivParam> {};

TEST_P(CudaDepthwiseDivTest, FusedMatchesTwoStepsAndReference) {
  TB_REQUIRE_CUDA();
  const DepthwiseDivParam& c = GetParam();
  const bool half = is_fp16(c.precision);
  const Shape shape = {2, 9, 141, 3};  // a partial 4-output group at the row's end
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, shape);
  const int extra = g.add_input("d", DType::kFloat32, shape);
  int divisor = -1;
  if (c.divisor == Divisor::kWindowCount) {
    const int ones = g.add_constant("ones", Tensor::from_vector<float>({1, 9, 141, 1}, std::vector<float>(9 * 141, 1.f)));
    divisor = box_conv(g, "count", ones, 1, c.taps, true);
  } else if (c.divisor == Divisor::kSameShapeInput) {
    divisor = extra;
  } else if (c.divisor == Divisor::kScalar) {
    divisor = g.add_constant("scale", Tensor::from_vector<float>({1}, {4.f}));
  }
  const int box = box_conv(g, "box", x, 3, c.taps, false);
  // Something between the conv and its Div, as TF's exports order them.
  const int between = g.add_node(OpKind::kBinary, "between", {x, x}, BinaryParams{BinaryOp::kMul});
  if (c.divisor == Divisor::kComputedLater) {
    const int two = g.add_constant("two", Tensor::from_vector<float>({1}, {2.f}));
    divisor = g.add_node(OpKind::kBinary, "later", {extra, two}, BinaryParams{BinaryOp::kMul});
  }
  const int mean = g.add_node(OpKind::kBinary, "mean", {box, divisor}, BinaryParams{BinaryOp::kDiv});
  g.add_output(g.add_node(OpKind::kBinary, "out", {mean, between}, BinaryParams{BinaryOp::kAdd}));
  if (c.conv_read_twice) g.add_output(box);

  const Tensor xt = random_tensor(shape, 41, -2.f, 2.f, half);
  const Tensor dt = random_tensor(shape, 42, 0.5f, 4.f, half);  // divisors away from zero
  std::vector<Tensor> fused, two_steps;
  testing::internal::CaptureStderr();
  {
    ScopedEnv log("TOONBOX_CUDA_LOG_STEPS", "1");
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {xt, dt}, c.precision, "box / divisor", &fused));
  }
  const std::string steps = testing::internal::GetCapturedStderr();
  {
    ScopedEnv off("TOONBOX_CUDA_FUSE_DEPTHWISE_DIV", "0");
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {xt, dt}, c.precision, "box, divide", &two_steps));
  }
  const bool fusable = c.divisor != Divisor::kComputedLater && !c.conv_read_twice;
  const bool folded = steps.find("'mean' (fused into the step of node 'box')") != std::string::npos;
  EXPECT_EQ(folded, fusable) << steps;
  if (half) {
    expect_close(fused[0], two_steps[0], c.precision, "fused vs two steps");
  } else {
    ASSERT_EQ(fused[0].nbytes(), two_steps[0].nbytes());
    EXPECT_EQ(std::memcmp(fused[0].raw(), two_steps[0].raw(), fused[0].nbytes()), 0) << "fp32 must agree exactly";
  }
}

std::vector<DepthwiseDivParam> depthwise_div_params() {
  std::vector<DepthwiseDivParam> out;
  for (Precision p : {Precision::kFloat32, Precision::kFloat16}) {
    for (int taps : {3, 5, 7}) out.push_back({p, taps, Divisor::kWindowCount, false});
    out.push_back({p, 3, Divisor::kSameShapeInput, false});
    out.push_back({p, 3, Divisor::kScalar, false});
    out.push_back({p, 3, Divisor::kComputedLater, false});
    out.push_back({p, 3, Divisor::kWindowCount, true});
  }
  return out;
}

std::string param_name(const ::testing::TestParamInfo<DepthwiseDivParam>& info) {
  const DepthwiseDivParam& p = info.param;
  static const char* kDivisor[] = {"count", "input", "scalar", "later"};
  return precision_tag(p.precision) + "_k" + std::to_string(p.taps) + "_" + kDivisor[static_cast<int>(p.divisor)] +
         (p.conv_read_twice ? "_read_twice" : "");
}

INSTANTIATE_TEST_SUITE_P(CudaDepthwiseDiv, CudaDepthwiseDivTest, ::testing::ValuesIn(depthwise_div_params()),
                         param_name);

}  // namespace
}  // namespace toonbox::cuda_test
