// PReLU, PixelShuffle and InstanceNorm (src/layer/{prelu,pixelshuffle,instancenorm}.cpp
// in ncnn), the three layers whose own IR ops are being added to the op table on the
// `opdefs` branch (PReLU, DepthToSpace, InstanceNormalization).
//
// PENDING OPS: until those ops land, each is translated here into existing ops that
// compute the same function — the same compositions the ONNX importer uses today:
//   PReLU         Binary(kPRelu) with the per-channel slopes (already one IR op)
//   PixelShuffle  Reshape -> Transpose -> Reshape (data movement only: bit-exact)
//   InstanceNorm  mean, centred square mean, sqrt(var + eps), divide, gamma, beta
//                 (ncnn folds gamma / sqrt(var + eps) into one factor; the rounding
//                 differs by an ulp or so)
// When the ops land, each of these becomes one node and this file shrinks to the
// parameter checks; nothing else in the importer changes.
#include <cstring>

#include "import/ncnn/ncnn_layer_params.h"
#include "import/ncnn/ncnn_layers.h"

namespace toonbox::ncnn {

namespace {

Result<int> prelu_slopes(const Layer& l) {
  LayerParams p(l);
  const int n = p.i(0, 0);
  p.range(n, 1, kMaxChannels, 0, "num_slope");
  TB_RETURN_IF_ERROR(p.status());
  return n;
}

Result<std::vector<WeightRead>> prelu_reads(const Layer& l) {
  TB_ASSIGN_OR_RETURN(int n, prelu_slopes(l));
  return std::vector<WeightRead>{{n, 1, "slopes"}};
}

Status prelu_build(Builder& b, const Layer& l, Weights& w) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(int n, prelu_slopes(l));
  const BlobValue in = b.input(l, 0);
  if (n > 1 && in.channels >= 0 && in.channels != n)
    return b.error(l, "got " + std::to_string(n) + " slopes (0=num_slope) for an input of " +
                          std::to_string(in.channels) + " channels, expected one per channel or 1");
  const int slope = channel_constant(b, l, "/slope", w[0].values);
  b.bind(l, 0,
         {b.add(OpKind::kBinary, l, "", {in.value, slope}, BinaryParams{BinaryOp::kPRelu}), in.rank,
          in.channels});
  return Status::ok();
}

// PixelShuffle: 0 upscale_factor r, 1 mode. Output channel p, row i*r+sh, column j*r+sw
// reads input channel p*r*r + sh*r + sw (mode 0, PyTorch's pixel_shuffle; ONNX
// DepthToSpace CRD) or (sh*r + sw)*C_out + p (mode 1, DCR).
Status pixel_shuffle_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  LayerParams p(l);
  const int r = p.i(0, 1), mode = p.i(1, 0);
  p.range(r, 1, 64, 0, "upscale_factor");
  p.range(mode, 0, 1, 1, "mode");
  TB_RETURN_IF_ERROR(p.status());
  const BlobValue in = b.input(l, 0);
  if (in.rank != 3)
    return b.unsupported(
        l, "expected a 3-D (CHW) input, got a " + std::to_string(in.rank) + "-D blob");
  if (in.channels >= 0 && in.channels % (r * r) != 0)
    return b.error(
        l, "got an input of " + std::to_string(in.channels) +
               " channels, expected a multiple of upscale_factor^2 = " + std::to_string(r * r));
  auto bin = [&](BinaryOp op, int x, int y, const char* s) {
    return b.add(OpKind::kBinary, l, s, {x, y}, BinaryParams{op});
  };
  const int n = b.dim_of(l, in.value, 0), c = b.dim_of(l, in.value, 1);
  const int h = b.dim_of(l, in.value, 2), wd = b.dim_of(l, in.value, 3);
  const int kr = b.constant_i32(l, {r});
  const int cr = bin(BinaryOp::kDiv, c, b.constant_i32(l, {r * r}), "/c_out");
  auto cat = [&](std::vector<int> parts, const char* s) {
    return b.add(OpKind::kConcat, l, s, std::move(parts), ConcatParams{0});
  };
  const int s1 =
      mode == 0 ? cat({n, cr, kr, kr, h, wd}, "/shape1") : cat({n, kr, kr, cr, h, wd}, "/shape1");
  const std::vector<int64_t> perm =
      mode == 0 ? std::vector<int64_t>{0, 1, 4, 2, 5, 3} : std::vector<int64_t>{0, 3, 4, 1, 5, 2};
  const int s2 =
      cat({n, cr, bin(BinaryOp::kMul, h, kr, "/h_out"), bin(BinaryOp::kMul, wd, kr, "/w_out")},
          "/shape2");
  const int split = b.add(OpKind::kReshape, l, "/split", {in.value, s1}, ReshapeParams{});
  const int t = b.add(OpKind::kTranspose, l, "/transpose", {split}, TransposeParams{perm});
  const int y = b.add(OpKind::kReshape, l, "", {t, s2}, ReshapeParams{});
  b.bind(l, 0, {y, 3, in.channels >= 0 ? in.channels / (r * r) : -1});
  return Status::ok();
}

// InstanceNorm: 0 channels, 1 eps (default 0.001), 2 affine (default 1: gamma and beta
// follow in the .bin, each `channels` raw floats).
struct InstanceNormArgs {
  int channels = 0, affine = 1;
  float eps = 0.001f;
};

Result<InstanceNormArgs> instance_norm_args(const Layer& l) {
  LayerParams p(l);
  InstanceNormArgs a;
  a.channels = p.i(0, 0);
  a.eps = p.f(1, 0.001f);
  a.affine = p.i(2, 1);
  p.range(a.channels, 1, kMaxChannels, 0, "channels");
  p.range(a.affine, 0, 1, 2, "affine");
  TB_RETURN_IF_ERROR(p.status());
  if (!(a.eps >= 0.f))
    return data_loss(l.where() + ": eps (1): got " + std::to_string(a.eps) + ", expected >= 0");
  return a;
}

Result<std::vector<WeightRead>> instance_norm_reads(const Layer& l) {
  TB_ASSIGN_OR_RETURN(InstanceNormArgs a, instance_norm_args(l));
  if (!a.affine) return std::vector<WeightRead>{};
  return std::vector<WeightRead>{{a.channels, 1, "gamma"}, {a.channels, 1, "beta"}};
}

Status instance_norm_build(Builder& b, const Layer& l, Weights& w) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(InstanceNormArgs a, instance_norm_args(l));
  const BlobValue in = b.input(l, 0);
  if (in.rank != 3)
    return b.unsupported(
        l, "expected a 3-D (CHW) input, got a " + std::to_string(in.rank) + "-D blob");
  if (in.channels >= 0 && in.channels != a.channels)
    return b.error(l, "got an input of " + std::to_string(in.channels) + " channels, expected " +
                          std::to_string(a.channels) + " (0=channels)");
  auto bin = [&](BinaryOp op, int x, int y, const char* s) {
    return b.add(OpKind::kBinary, l, s, {x, y}, BinaryParams{op});
  };
  const ReduceParams over_hw{ReduceOp::kMean, {2, 3}, true};
  const int mean = b.add(OpKind::kReduce, l, "/mean", {in.value}, over_hw);
  const int d = bin(BinaryOp::kSub, in.value, mean, "/centered");
  const int var = b.add(OpKind::kReduce, l, "/var", {bin(BinaryOp::kMul, d, d, "/sq")}, over_hw);
  const int eps = b.constant(l, "/eps", Tensor::from_vector<float>({1}, {a.eps}));
  const int stdv = b.add(OpKind::kUnary, l, "/std", {bin(BinaryOp::kAdd, var, eps, "/var_eps")},
                         UnaryParams{UnaryOp::kSqrt});
  int y = bin(BinaryOp::kDiv, d, stdv, a.affine ? "/normalized" : "");
  if (a.affine) {
    y = bin(BinaryOp::kMul, y, channel_constant(b, l, "/gamma", w[0].values), "/scaled");
    y = bin(BinaryOp::kAdd, y, channel_constant(b, l, "/beta", w[1].values), "");
  }
  b.bind(l, 0, {y, 3, a.channels});
  return Status::ok();
}

}  // namespace

void add_composite_layers(LayerTable& t) {
  t["PReLU"] = {prelu_reads, prelu_build};
  t["PixelShuffle"] = {nullptr, pixel_shuffle_build};
  t["InstanceNorm"] = {instance_norm_reads, instance_norm_build};
}

}  // namespace toonbox::ncnn
