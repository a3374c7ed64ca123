#include "pipeline/builtin_style.h"

#include <cmath>
#include <string>

namespace toonbox::pipeline {

using graph::binary_op_name;
using graph::BinaryOp;
using graph::BinaryParams;
using graph::Conv2DParams;
using graph::Graph;
using graph::NoParams;
using graph::OpKind;
using graph::PackParams;
using graph::PadMode;
using graph::StridedSliceParams;
using graph::unary_op_name;
using graph::UnaryOp;
using graph::UnaryParams;

namespace {

// Tuned by eye on portraits in [-1, 1] units.
constexpr int kSmoothRadius = 4;         // 9x9 windows
constexpr float kSmoothEps = 0.02f;      // guided-filter regularizer: larger flattens more
constexpr int kSmoothPasses = 2;
constexpr float kLumaLevels = 7.f;       // brightness bands
constexpr float kRatioFloor = 0.06f;     // keeps dark pixels from being scaled wildly
constexpr float kEdgeThreshold = 0.25f;  // Sobel magnitude (in [0,1] luma units) of a line
constexpr float kEdgeSharpness = 25.f;   // slope of the soft threshold

class Builder {
 public:
  explicit Builder(Graph& g) : g_(g) {}

  int constant(float v) { return g_.add_constant(next("k"), Tensor::from_vector<float>({}, {v})); }
  int binary(BinaryOp op, int a, int b) {
    return g_.add_node(OpKind::kBinary, next(binary_op_name(op)), {a, b}, BinaryParams{op});
  }
  int unary(UnaryOp op, int x, float alpha = 0.f, float beta = 0.f) {
    return g_.add_node(OpKind::kUnary, next(unary_op_name(op)), {x}, UnaryParams{op, alpha, beta});
  }
  // Per-channel convolution with the same k x k kernel on each of `channels`.
  int depthwise(int x, int channels, const std::vector<float>& kernel, int k) {
    Tensor w(DType::kFloat32, {channels, 1, k, k});
    for (int c = 0; c < channels; ++c)
      for (int i = 0; i < k * k; ++i) w.data<float>()[c * k * k + i] = kernel[i];
    Conv2DParams p;
    p.pad_mode = PadMode::kSameUpper;
    p.groups = channels;
    return g_.add_node(OpKind::kConv2D, next("depthwise"), {x, g_.add_constant(next("w"), w)}, p);
  }
  int conv(int x, Tensor weights) {
    Conv2DParams p;
    p.pad_mode = PadMode::kSameUpper;
    return g_.add_node(OpKind::kConv2D, next("conv"), {x, g_.add_constant(next("w"), std::move(weights))},
                       p);
  }

 private:
  std::string next(const std::string& what) { return "classic/" + what + "_" + std::to_string(n_++); }
  Graph& g_;
  int n_ = 0;
};

// Box sum over a (2r+1)^2 window; divided by the in-bounds count it is a box mean.
int box_mean(Builder& b, int x, int channels, int count_map) {
  const int k = 2 * kSmoothRadius + 1;
  const int sum = b.depthwise(x, channels, std::vector<float>(k * k, 1.f), k);
  return b.binary(BinaryOp::kDiv, sum, count_map);
}

// He et al.'s guided filter with the image as its own guide, per channel.
int self_guided_filter(Builder& b, int x, int count_map) {
  const int mean = box_mean(b, x, 3, count_map);
  const int mean_sq = box_mean(b, b.unary(UnaryOp::kSquare, x), 3, count_map);
  const int var = b.binary(BinaryOp::kSub, mean_sq, b.unary(UnaryOp::kSquare, mean));
  const int a = b.binary(BinaryOp::kDiv, var, b.binary(BinaryOp::kAdd, var, b.constant(kSmoothEps)));
  const int bias = b.binary(BinaryOp::kSub, mean, b.binary(BinaryOp::kMul, a, mean));
  const int mean_a = box_mean(b, a, 3, count_map);
  const int mean_b = box_mean(b, bias, 3, count_map);
  return b.binary(BinaryOp::kAdd, b.binary(BinaryOp::kMul, mean_a, x), mean_b);
}

std::vector<float> gaussian_kernel(int k, float sigma) {
  std::vector<float> w(k * k);
  float total = 0;
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j) {
      const float dy = i - k / 2, dx = j - k / 2;
      w[i * k + j] = std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      total += w[i * k + j];
    }
  for (float& v : w) v /= total;
  return w;
}

}  // namespace

Graph build_classic_cartoon_graph() {
  Graph g;
  Builder b(g);
  const int x = g.add_input("input_photo", DType::kFloat32, {1, -1, -1, 3});

  // The in-bounds window count at each pixel: box sum of ones. Built from the input's
  // shape, so specialization folds it into a constant per image size.
  const int shape = g.add_node(OpKind::kShape, "classic/shape", {x}, NoParams{});
  const int k1 = g.add_constant("classic/k1", Tensor::from_vector<int32_t>({1}, {1}));
  const int k3 = g.add_constant("classic/k3", Tensor::from_vector<int32_t>({1}, {3}));
  const int k2 = g.add_constant("classic/k2", Tensor::from_vector<int32_t>({1}, {2}));
  StridedSliceParams scalar;
  scalar.shrink_axis_mask = 1;
  const int h = g.add_node(OpKind::kStridedSlice, "classic/h", {shape, k1, k2, k1}, scalar);
  const int w = g.add_node(OpKind::kStridedSlice, "classic/w", {shape, k2, k3, k1}, scalar);
  const int one_s = g.add_constant("classic/one_s", Tensor::from_vector<int32_t>({}, {1}));
  const int ones_shape = g.add_node(OpKind::kPack, "classic/ones_shape", {one_s, h, w, one_s}, PackParams{0});
  const int ones = g.add_node(OpKind::kFill, "classic/ones", {ones_shape, b.constant(1.f)}, NoParams{});
  const int k = 2 * kSmoothRadius + 1;
  const int count_map = b.depthwise(ones, 1, std::vector<float>(k * k, 1.f), k);

  // 1. smoothing
  int smooth = x;
  for (int i = 0; i < kSmoothPasses; ++i) smooth = self_guided_filter(b, smooth, count_map);

  // 2. quantize brightness, keep hue: scale each pixel's colour by round(L)/L, where L
  // is its luma, so shading falls into flat bands without the hue shifts that rounding
  // R, G and B separately gives.
  const int unit = b.binary(BinaryOp::kMul, b.binary(BinaryOp::kAdd, smooth, b.constant(1.f)), b.constant(0.5f));
  const int smooth_luma = b.conv(unit, Tensor::from_vector<float>({1, 3, 1, 1}, {0.299f, 0.587f, 0.114f}));
  const int banded = b.binary(BinaryOp::kDiv,
                              b.unary(UnaryOp::kRound, b.binary(BinaryOp::kMul, smooth_luma, b.constant(kLumaLevels))),
                              b.constant(kLumaLevels));
  const int ratio = b.binary(BinaryOp::kDiv, b.binary(BinaryOp::kAdd, banded, b.constant(kRatioFloor)),
                             b.binary(BinaryOp::kAdd, smooth_luma, b.constant(kRatioFloor)));
  const int quant = b.unary(UnaryOp::kClip, b.binary(BinaryOp::kMul, unit, ratio), 0.f, 1.f);

  // 3. line art from the unsmoothed photo's luma: 1x1 conv 3 -> 1 (BT.601 weights)
  const int photo01 = b.binary(BinaryOp::kMul, b.binary(BinaryOp::kAdd, x, b.constant(1.f)), b.constant(0.5f));
  const int luma = b.conv(photo01, Tensor::from_vector<float>({1, 3, 1, 1}, {0.299f, 0.587f, 0.114f}));
  const int blurred = b.depthwise(luma, 1, gaussian_kernel(5, 1.2f), 5);
  // Sobel x and y as one conv with two output channels.
  const int grad = b.conv(blurred, Tensor::from_vector<float>({2, 1, 3, 3},
                                                              {-1, 0, 1, -2, 0, 2, -1, 0, 1,
                                                               -1, -2, -1, 0, 0, 0, 1, 2, 1}));
  const int grad_sq = b.unary(UnaryOp::kSquare, grad);
  const int mag = b.unary(UnaryOp::kSqrt, b.conv(grad_sq, Tensor::from_vector<float>({1, 2, 1, 1}, {1.f, 1.f})));
  const int edge = b.unary(UnaryOp::kSigmoid,
                           b.binary(BinaryOp::kMul, b.binary(BinaryOp::kSub, mag, b.constant(kEdgeThreshold)),
                                    b.constant(kEdgeSharpness)));
  const int ink = b.binary(BinaryOp::kSub, b.constant(1.f), edge);

  // 4. compose and return to [-1, 1]
  const int out01 = b.binary(BinaryOp::kMul, quant, ink);
  const int out = b.binary(BinaryOp::kSub, b.binary(BinaryOp::kMul, out01, b.constant(2.f)), b.constant(1.f));
  g.add_output(g.add_node(OpKind::kIdentity, "final_output", {out}, NoParams{}));
  return g;
}

}  // namespace toonbox::pipeline
