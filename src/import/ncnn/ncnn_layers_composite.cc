// PReLU, PixelShuffle and InstanceNorm (src/layer/{prelu,pixelshuffle,instancenorm}.cpp
// in ncnn): one IR op each (PRelu, DepthToSpace, InstanceNorm), after the parameter checks.
// ncnn folds InstanceNorm's gamma / sqrt(var + eps) into one factor; the IR op divides, so
// the rounding differs by an ulp or so.
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
         {b.add(graph::OpKind::kPRelu, l, "", {in.value, slope}, graph::NoParams{}), in.rank,
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
  graph::DepthToSpaceParams d;
  d.layout = graph::Layout::kNCHW;
  d.block = r;
  d.mode = mode == 0 ? graph::DepthToSpaceMode::kCrd : graph::DepthToSpaceMode::kDcr;
  const int y = b.add(graph::OpKind::kDepthToSpace, l, "", {in.value}, d);
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
  // Without affine, gamma 1 and beta 0: the op always takes both.
  const std::vector<float> gamma = a.affine ? w[0].values : std::vector<float>(a.channels, 1.f);
  const std::vector<float> beta = a.affine ? w[1].values : std::vector<float>(a.channels, 0.f);
  const int64_t c = a.channels;
  const int scale = b.constant(l, "/gamma", Tensor::from_vector<float>({c}, gamma));
  const int bias = b.constant(l, "/beta", Tensor::from_vector<float>({c}, beta));
  const int y = b.add(graph::OpKind::kInstanceNorm, l, "", {in.value, scale, bias},
                      graph::InstanceNormParams{graph::Layout::kNCHW, a.eps});
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
