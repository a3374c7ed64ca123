// Unary and broadcasting Binary ops on the CUDA backend against the reference.
#include "cuda_test_util.h"

using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

// ---- Unary ----

struct UnaryParam {
  UnaryOp op;
  float alpha, beta;
  Shape shape;
  Precision precision;
};
void PrintTo(const UnaryParam& p, std::ostream* os) {
  *os << unary_op_name(p.op) << " " << shape_to_string(p.shape) << " " << precision_tag(p.precision);
}

// Inputs inside each function's domain (log/sqrt positive, exp moderate).
void input_range(UnaryOp op, float* lo, float* hi) {
  *lo = -3.f;
  *hi = 3.f;
  if (op == UnaryOp::kLog || op == UnaryOp::kSqrt) *lo = 0.1f;
}

std::vector<UnaryParam> unary_params() {
  const std::vector<std::tuple<UnaryOp, float, float>> ops = {
      {UnaryOp::kIdentity, 0, 0}, {UnaryOp::kRelu, 0, 0},     {UnaryOp::kLeakyRelu, 0.2f, 0},
      {UnaryOp::kSigmoid, 0, 0},  {UnaryOp::kTanh, 0, 0},     {UnaryOp::kClip, -0.5f, 1.5f},
      {UnaryOp::kSquare, 0, 0},   {UnaryOp::kSqrt, 0, 0},     {UnaryOp::kAbs, 0, 0},
      {UnaryOp::kNeg, 0, 0},      {UnaryOp::kExp, 0, 0},      {UnaryOp::kLog, 0, 0},
      {UnaryOp::kRound, 0, 0},    {UnaryOp::kFloor, 0, 0}};
  std::vector<UnaryParam> out;
  for (const auto& [op, alpha, beta] : ops)
    for (const Shape& shape : {Shape{2, 13, 11, 5}, Shape{1, 64, 64, 33}})
      for (Precision p : {Precision::kFloat32, Precision::kFloat16}) out.push_back({op, alpha, beta, shape, p});
  return out;
}

class CudaUnaryTest : public ::testing::TestWithParam<UnaryParam> {};

TEST_P(CudaUnaryTest, MatchesReference) {
  TB_REQUIRE_CUDA();
  const UnaryParam& u = GetParam();
  float lo, hi;
  input_range(u.op, &lo, &hi);
  Tensor x = random_tensor(u.shape, 31, lo, hi, is_fp16(u.precision));
  if (u.op == UnaryOp::kRound || u.op == UnaryOp::kFloor) {
    // Every third value an exact half-integer (-6.0 .. 6.0 in steps of 0.5): Round must
    // take them to the even neighbour (2.5 -> 2, -0.5 -> -0), Floor must not move integers.
    for (int64_t i = 0; i < x.numel(); i += 3) x.data<float>()[i] = static_cast<float>((i / 3) % 25 - 12) * 0.5f;
  }
  Graph g;
  const int in = g.add_input("x", DType::kFloat32, u.shape);
  g.add_output(g.add_node(OpKind::kUnary, unary_op_name(u.op), {in}, UnaryParams{u.op, u.alpha, u.beta}));
  std::vector<Tensor> got;
  ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {x}, u.precision, unary_op_name(u.op), &got));
  if (u.op == UnaryOp::kRound) {
    // Spot checks of half-to-even independent of the reference.
    for (int64_t i = 0; i < x.numel(); i += 3) {
      const float v = x.data<float>()[i];
      ASSERT_EQ(got[0].data<float>()[i], std::nearbyint(v)) << "round(" << v << ")";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CudaUnary, CudaUnaryTest, ::testing::ValuesIn(unary_params()),
                         [](const ::testing::TestParamInfo<UnaryParam>& info) {
                           return std::string(unary_op_name(info.param.op)) + "_" +
                                  std::to_string(shape_numel(info.param.shape)) + "_" +
                                  precision_tag(info.param.precision);
                         });

// ---- Binary ----

struct BroadcastPattern {
  const char* name;
  Shape a, b;
  bool a_constant = false, b_constant = false;
};

const std::vector<BroadcastPattern>& patterns() {
  static const std::vector<BroadcastPattern> p = {
      {"same", {2, 13, 11, 5}, {2, 13, 11, 5}},
      {"same_large", {1, 128, 128, 32}, {1, 128, 128, 32}},
      {"rgb_by_mask", {1, 7, 9, 3}, {1, 7, 9, 1}},
      {"mask_by_rgb", {1, 7, 9, 1}, {1, 7, 9, 3}},
      {"scalar_const", {1, 7, 9, 3}, {}, false, true},
      {"channel_const", {2, 7, 9, 5}, {5}, false, true},
      {"const_channel_lhs", {5}, {2, 7, 9, 5}, true, false},
      {"nchw_channel_const", {2, 5, 7, 9}, {5, 1, 1}, false, true},
      {"both_broadcast", {2, 1, 11, 5}, {1, 13, 1, 5}},
      {"rank6", {2, 3, 1, 4, 1, 5}, {1, 3, 2, 1, 3, 5}},
  };
  return p;
}

struct BinaryParam {
  BinaryOp op;
  BroadcastPattern pattern;
  Precision precision;
};
void PrintTo(const BinaryParam& p, std::ostream* os) {
  *os << binary_op_name(p.op) << " " << p.pattern.name << " " << precision_tag(p.precision);
}

std::vector<BinaryParam> binary_params() {
  std::vector<BinaryParam> out;
  for (BinaryOp op : {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv, BinaryOp::kMax,
                      BinaryOp::kMin})
    for (const BroadcastPattern& pattern : patterns())
      for (Precision p : {Precision::kFloat32, Precision::kFloat16}) out.push_back({op, pattern, p});
  return out;
}

// Values in [-2, -0.5] u [0.5, 2]: never near zero, so Div stays well conditioned.
Tensor signed_away_from_zero(const Shape& shape, uint32_t seed, bool half_exact) {
  Tensor t = random_tensor(shape, seed, 0.5f, 2.f, half_exact);
  for (int64_t i = 0; i < t.numel(); i += 2) t.data<float>()[i] = -t.data<float>()[i];
  return t;
}

class CudaBinaryTest : public ::testing::TestWithParam<BinaryParam> {};

TEST_P(CudaBinaryTest, MatchesReference) {
  TB_REQUIRE_CUDA();
  const BinaryParam& b = GetParam();
  const bool half = is_fp16(b.precision);
  const Tensor ta = signed_away_from_zero(b.pattern.a, 41, half);
  const Tensor tb = signed_away_from_zero(b.pattern.b, 42, half);
  Graph g;
  std::vector<Tensor> inputs;
  int a, c;
  if (b.pattern.a_constant) {
    a = g.add_constant("a", ta);
  } else {
    a = g.add_input("a", DType::kFloat32, b.pattern.a);
    inputs.push_back(ta);
  }
  if (b.pattern.b_constant) {
    c = g.add_constant("b", tb);
  } else {
    c = g.add_input("b", DType::kFloat32, b.pattern.b);
    inputs.push_back(tb);
  }
  g.add_output(g.add_node(OpKind::kBinary, binary_op_name(b.op), {a, c}, BinaryParams{b.op}));
  ASSERT_NO_FATAL_FAILURE(check_against_reference(
      g, inputs, b.precision, std::string(binary_op_name(b.op)) + " " + b.pattern.name));
}

INSTANTIATE_TEST_SUITE_P(CudaBinary, CudaBinaryTest, ::testing::ValuesIn(binary_params()),
                         [](const ::testing::TestParamInfo<BinaryParam>& info) {
                           return std::string(binary_op_name(info.param.op)) + "_" + info.param.pattern.name +
                                  "_" + precision_tag(info.param.precision);
                         });

}  // namespace
}  // namespace toonbox::cuda_test
