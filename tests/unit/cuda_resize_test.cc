// Resize on the CUDA backend against the reference: bilinear in each coordinate mode,
// nearest with each rounding, up and down by integer and non-integer factors.
#include <cstring>

#include "cuda_test_util.h"

using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox::cuda_test {
namespace {

struct ResizeCase {
  const char* name;
  ResizeMode mode;
  ResizeCoord coord;
  NearestRounding rounding;
  int out_h, out_w;
  Shape nhwc = {2, 7, 9, 3};  // input as N, H, W, C
};

const std::vector<ResizeCase>& resize_cases() {
  using M = ResizeMode;
  using C = ResizeCoord;
  using R = NearestRounding;
  static const std::vector<ResizeCase> cases = {
      {"bilinear_asym_up2", M::kBilinear, C::kAsymmetric, R::kFloor, 14, 18},
      {"bilinear_asym_down", M::kBilinear, C::kAsymmetric, R::kFloor, 3, 4},
      {"bilinear_asym_odd", M::kBilinear, C::kAsymmetric, R::kFloor, 12, 10},
      {"bilinear_half_up", M::kBilinear, C::kHalfPixel, R::kFloor, 15, 20},
      {"bilinear_half_down", M::kBilinear, C::kHalfPixel, R::kFloor, 3, 4},
      {"bilinear_half_odd", M::kBilinear, C::kHalfPixel, R::kFloor, 12, 10},
      {"bilinear_corners_up", M::kBilinear, C::kAlignCorners, R::kFloor, 15, 20},
      {"bilinear_corners_down", M::kBilinear, C::kAlignCorners, R::kFloor, 3, 4},
      {"bilinear_corners_odd", M::kBilinear, C::kAlignCorners, R::kFloor, 12, 10},
      {"nearest_floor_asym_up", M::kNearest, C::kAsymmetric, R::kFloor, 14, 27},
      {"nearest_floor_asym_down", M::kNearest, C::kAsymmetric, R::kFloor, 3, 4},
      {"nearest_ceil_asym_up", M::kNearest, C::kAsymmetric, R::kCeil, 15, 20},
      {"nearest_prefer_ceil_half_up", M::kNearest, C::kHalfPixel, R::kRoundPreferCeil, 15, 20},
      {"nearest_prefer_ceil_half_down", M::kNearest, C::kHalfPixel, R::kRoundPreferCeil, 3, 4},
      {"nearest_prefer_floor_half_up", M::kNearest, C::kHalfPixel, R::kRoundPreferFloor, 14, 18},
      {"nearest_prefer_floor_half_down", M::kNearest, C::kHalfPixel, R::kRoundPreferFloor, 5, 3},
      {"nearest_floor_corners_up", M::kNearest, C::kAlignCorners, R::kFloor, 12, 10},
      // Where float32 source coordinates differ from double ones: rows 7 -> 5 half-pixel
      // give (2.5 * 1.4f - 0.5) = 3 exactly in float (2.99999994 in double); columns
      // 11 -> 4 align-corners give 3 * (10 / 3.f) = 10 in float (9.99999988 in double).
      {"nearest_floor_half_float_boundary", M::kNearest, C::kHalfPixel, R::kFloor, 5, 4, {2, 7, 11, 3}},
      {"nearest_floor_corners_float_boundary", M::kNearest, C::kAlignCorners, R::kFloor, 5, 4, {2, 7, 11, 3}},
      {"bilinear_half_float_boundary", M::kBilinear, C::kHalfPixel, R::kFloor, 5, 4, {2, 7, 11, 3}},
      // Channels a multiple of 8: in NHWC the row kernel moves 16-byte packs (8 halves,
      // 4 floats); the cases above (3 channels) take its one-channel form.
      {"bilinear_asym_up2_c16", M::kBilinear, C::kAsymmetric, R::kFloor, 14, 18, {2, 7, 9, 16}},
      {"bilinear_half_down_c8", M::kBilinear, C::kHalfPixel, R::kFloor, 3, 5, {1, 7, 11, 8}},
      {"nearest_floor_asym_up_c16", M::kNearest, C::kAsymmetric, R::kFloor, 14, 27, {2, 7, 9, 16}},
  };
  return cases;
}

struct ResizeParam {
  ResizeCase c;
  Layout layout;
  Precision precision;
};
void PrintTo(const ResizeParam& p, std::ostream* os) {
  *os << p.c.name << " " << layout_tag(p.layout) << " " << precision_tag(p.precision);
}

std::vector<ResizeParam> resize_params() {
  std::vector<ResizeParam> out;
  for (const ResizeCase& c : resize_cases())
    for (Layout l : {Layout::kNHWC, Layout::kNCHW})
      for (Precision p : {Precision::kFloat32, Precision::kFloat16}) out.push_back({c, l, p});
  return out;
}

class CudaResizeTest : public ::testing::TestWithParam<ResizeParam> {};

TEST_P(CudaResizeTest, MatchesReference) {
  TB_REQUIRE_CUDA();
  const ResizeParam& r = GetParam();
  const Shape shape = in_layout(r.c.nhwc, r.layout);
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, shape);
  const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {r.c.out_h, r.c.out_w}));
  ResizeParams p;
  p.layout = r.layout;
  p.mode = r.c.mode;
  p.coord = r.c.coord;
  p.nearest = r.c.rounding;
  g.add_output(g.add_node(OpKind::kResize, r.c.name, {x, size}, p));
  const Tensor input = random_tensor(shape, 51, -2.f, 2.f, is_fp16(r.precision));
  std::vector<Tensor> got;
  ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {input}, r.precision, r.c.name, &got));
  if (r.c.mode == ResizeMode::kNearest) {
    // Nearest copies pixels: any difference means a different source pixel was picked.
    auto spec = specialize(g, {shape});
    ASSERT_TRUE(spec.is_ok());
    auto want = reference_run(spec.value(), {input});
    ASSERT_TRUE(want.is_ok());
    EXPECT_EQ(compare(got[0], want.value()[0]).max_abs, 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(CudaResize, CudaResizeTest, ::testing::ValuesIn(resize_params()),
                         [](const ::testing::TestParamInfo<ResizeParam>& info) {
                           return std::string(info.param.c.name) + "_" + layout_tag(info.param.layout) + "_" +
                                  precision_tag(info.param.precision);
                         });

// Resize then + skip (White-box's decoder) runs as one kernel (resize_add_fusion.h):
// against the reference, and against the two-step run (TOONBOX_CUDA_FUSE_RESIZE_ADD=0),
// exactly in fp32; the step log shows the Add folded into the resize. With the resize
// output read elsewhere too, nothing is fused.
struct ResizeAddParam {
  Layout layout;
  Precision precision;
  bool skip_first;       // skip + up instead of up + skip
  bool up_read_twice;    // the resize output is also a graph output: no fusion
  int channels;
};
void PrintTo(const ResizeAddParam& p, std::ostream* os) {
  *os << layout_tag(p.layout) << " " << precision_tag(p.precision) << (p.skip_first ? " skip+up" : " up+skip")
      << (p.up_read_twice ? " up read twice" : "") << " c" << p.channels;
}

class CudaResizeAddTest : public ::testing::TestWithParam<ResizeAddParam> {};

TEST_P(CudaResizeAddTest, FusedMatchesTwoStepsAndReference) {
  TB_REQUIRE_CUDA();
  const ResizeAddParam& r = GetParam();
  const bool half = is_fp16(r.precision);
  const Shape x_shape = in_layout({2, 6, 7, r.channels}, r.layout);
  const Shape skip_shape = in_layout({2, 12, 14, r.channels}, r.layout);
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, x_shape);
  const int skip = g.add_input("skip", DType::kFloat32, skip_shape);
  ResizeParams p;
  p.layout = r.layout;
  p.mode = ResizeMode::kBilinear;
  p.coord = ResizeCoord::kAsymmetric;
  const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {12, 14}));
  const int up = g.add_node(OpKind::kResize, "up", {x, size}, p);
  const int sum = g.add_node(OpKind::kBinary, "skip_add", r.skip_first ? std::vector<int>{skip, up} : std::vector<int>{up, skip},
                             BinaryParams{BinaryOp::kAdd});
  g.add_output(sum);
  if (r.up_read_twice) g.add_output(up);
  const Tensor xt = random_tensor(x_shape, 81, -2.f, 2.f, half);
  const Tensor st = random_tensor(skip_shape, 82, -2.f, 2.f, half);

  std::vector<Tensor> fused, two_steps;
  testing::internal::CaptureStderr();
  {
    ScopedEnv log("TOONBOX_CUDA_LOG_STEPS", "1");
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {xt, st}, r.precision, "resize + add", &fused));
  }
  const std::string steps = testing::internal::GetCapturedStderr();
  {
    ScopedEnv off("TOONBOX_CUDA_FUSE_RESIZE_ADD", "0");
    ASSERT_NO_FATAL_FAILURE(check_against_reference(g, {xt, st}, r.precision, "resize, add", &two_steps));
  }
  const bool folded = steps.find("'skip_add' (fused into the step before it)") != std::string::npos;
  EXPECT_EQ(folded, !r.up_read_twice) << steps;
  if (half) {
    expect_close(fused[0], two_steps[0], r.precision, "fused vs two steps");
  } else {
    ASSERT_EQ(fused[0].nbytes(), two_steps[0].nbytes());
    EXPECT_EQ(std::memcmp(fused[0].raw(), two_steps[0].raw(), fused[0].nbytes()), 0) << "fp32 must agree exactly";
  }
}

std::vector<ResizeAddParam> resize_add_params() {
  std::vector<ResizeAddParam> out;
  for (Layout l : {Layout::kNHWC, Layout::kNCHW})
    for (Precision p : {Precision::kFloat32, Precision::kFloat16})
      for (bool skip_first : {false, true})
        for (int channels : {3, 16}) out.push_back({l, p, skip_first, false, channels});
  out.push_back({Layout::kNHWC, Precision::kFloat16, false, true, 16});
  return out;
}

INSTANTIATE_TEST_SUITE_P(CudaResizeAdd, CudaResizeAddTest, ::testing::ValuesIn(resize_add_params()),
                         [](const ::testing::TestParamInfo<ResizeAddParam>& info) {
                           const ResizeAddParam& p = info.param;
                           return layout_tag(p.layout) + "_" + precision_tag(p.precision) +
                                  (p.skip_first ? "_skip_first" : "_up_first") +
                                  (p.up_read_twice ? "_up_read_twice" : "") + "_c" + std::to_string(p.channels);
                         });

}  // namespace
}  // namespace toonbox::cuda_test
