// Translators of the NN ops: convolutions, pooling, normalizations, Gemm, Softmax,
// Resize/Upsample, Pad, DepthToSpace/SpaceToDepth.
#include <cmath>

#include "import/onnx/onnx_ops.h"

namespace toonbox::onnx_import {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::CastParams;
using graph::Conv2DParams;
using graph::ConvTransposeParams;
using graph::DepthToSpaceMode;
using graph::DepthToSpaceParams;
using graph::InstanceNormParams;
using graph::Layout;
using graph::NearestRounding;
using graph::NoParams;
using graph::OpKind;
using graph::PadKind;
using graph::PadMode;
using graph::PadParams;
using graph::PoolKind;
using graph::PoolParams;
using graph::ReduceOp;
using graph::ReduceParams;
using graph::ReshapeMode;
using graph::ReshapeParams;
using graph::ResizeCoord;
using graph::ResizeMode;
using graph::ResizeParams;
using graph::SliceParams;
using graph::SoftmaxParams;
using graph::SpaceToDepthParams;
using graph::TransposeParams;
using graph::UnaryOp;
using graph::UnaryParams;
using graph::Value;

namespace {

Result<PadMode> auto_pad(const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(std::string s, Attrs(n).s("auto_pad", "NOTSET"));
  if (s == "NOTSET" || s.empty()) return PadMode::kExplicit;
  if (s == "VALID") return PadMode::kValid;
  if (s == "SAME_UPPER") return PadMode::kSameUpper;
  if (s == "SAME_LOWER") return PadMode::kSameLower;
  return Attrs(n).error("auto_pad", "has unknown value '" + s + "'");
}

// The 2-D spatial attributes shared by Conv, ConvTranspose and the pools.
struct Spatial {
  std::vector<int64_t> kernel, strides, dilations, pads;
  PadMode pad_mode;
};

Result<Spatial> spatial(OnnxBuilder& b, const onnx::NodeProto& n, bool need_kernel) {
  Attrs a(n);
  Spatial s;
  TB_ASSIGN_OR_RETURN(s.kernel, need_kernel ? a.ints("kernel_shape")
                                            : a.ints("kernel_shape", std::vector<int64_t>{}));
  TB_ASSIGN_OR_RETURN(s.strides, a.ints("strides", std::vector<int64_t>{1, 1}));
  TB_ASSIGN_OR_RETURN(s.dilations, a.ints("dilations", std::vector<int64_t>{1, 1}));
  TB_ASSIGN_OR_RETURN(s.pads, a.ints("pads", std::vector<int64_t>{0, 0, 0, 0}));
  TB_ASSIGN_OR_RETURN(s.pad_mode, auto_pad(n));
  if ((!s.kernel.empty() && s.kernel.size() != 2) || s.strides.size() != 2 ||
      s.dilations.size() != 2 || s.pads.size() != 4)
    return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (" + n.op_type() +
                         "): only 2-D (NCHW) windows are supported");
  for (int64_t v : s.strides)
    if (v < 1 || v > 1024) return b.error(n, "bad stride " + std::to_string(v));
  for (int64_t v : s.dilations)
    if (v < 1 || v > 1024) return b.error(n, "bad dilation " + std::to_string(v));
  for (int64_t v : s.pads)
    if (v < 0 || v > 65536) return b.error(n, "bad pad " + std::to_string(v));
  for (int64_t v : s.kernel)
    if (v < 1 || v > 65536) return b.error(n, "bad kernel size " + std::to_string(v));
  return s;
}

// Strides, dilations and pads (ONNX order: begins then ends) into Conv2DParams,
// ConvTransposeParams or PoolParams, which name these fields alike.
template <typename P>
void set_window(const Spatial& s, P& p) {
  p.stride_h = static_cast<int>(s.strides[0]);
  p.stride_w = static_cast<int>(s.strides[1]);
  p.dilation_h = static_cast<int>(s.dilations[0]);
  p.dilation_w = static_cast<int>(s.dilations[1]);
  p.pad_mode = s.pad_mode;
  p.pad_top = static_cast<int>(s.pads[0]);
  p.pad_left = static_cast<int>(s.pads[1]);
  p.pad_bottom = static_cast<int>(s.pads[2]);
  p.pad_right = static_cast<int>(s.pads[3]);
}

Status conv(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int w, b.input(n, 1));
  TB_ASSIGN_OR_RETURN(Spatial s, spatial(b, n, false));
  TB_ASSIGN_OR_RETURN(int64_t group, Attrs(n).i("group", 1));
  if (b.graph().value(w).constant && b.graph().value(w).constant->rank() != 4)
    return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (Conv): only 2-D convolutions");
  Conv2DParams p;
  p.layout = Layout::kNCHW;
  set_window(s, p);
  if (group < 1 || group > (1 << 20)) return b.error(n, "bad group " + std::to_string(group));
  p.groups = static_cast<int>(group);
  std::vector<int> ins = {x, w};
  if (b.has_input(n, 2)) {
    TB_ASSIGN_OR_RETURN(int bias, b.input(n, 2));
    ins.push_back(bias);
  }
  return b.bind_output(n, b.add(OpKind::kConv2D, n, "", ins, p));
}

Status conv_transpose(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int w, b.input(n, 1));
  TB_ASSIGN_OR_RETURN(Spatial s, spatial(b, n, false));
  Attrs a(n);
  if (a.has("output_shape"))
    return unimplemented("node '" + OnnxBuilder::node_name(n) +
                         "' (ConvTranspose): the output_shape attribute is not supported");
  TB_ASSIGN_OR_RETURN(auto out_pad, a.ints("output_padding", std::vector<int64_t>{0, 0}));
  TB_ASSIGN_OR_RETURN(int64_t group, a.i("group", 1));
  if (out_pad.size() != 2) return b.error(n, "output_padding must have 2 entries");
  if (group < 1 || group > (1 << 20)) return b.error(n, "bad group " + std::to_string(group));
  ConvTransposeParams p;
  set_window(s, p);
  p.output_pad_h = static_cast<int>(out_pad[0]);
  p.output_pad_w = static_cast<int>(out_pad[1]);
  p.groups = static_cast<int>(group);
  std::vector<int> ins = {x, w};
  if (b.has_input(n, 2)) {
    TB_ASSIGN_OR_RETURN(int bias, b.input(n, 2));
    ins.push_back(bias);
  }
  return b.bind_output(n, b.add(OpKind::kConvTranspose, n, "", ins, p));
}

Status pool(OnnxBuilder& b, const onnx::NodeProto& n, PoolKind kind) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(Spatial s, spatial(b, n, true));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(int64_t ceil_mode, a.i("ceil_mode", 0));
  TB_ASSIGN_OR_RETURN(int64_t include_pad, a.i("count_include_pad", 0));
  TB_ASSIGN_OR_RETURN(int64_t storage_order, a.i("storage_order", 0));
  if (storage_order != 0) return unimplemented("MaxPool storage_order 1");
  PoolParams p;
  p.kind = kind;
  p.kernel_h = static_cast<int>(s.kernel[0]);
  p.kernel_w = static_cast<int>(s.kernel[1]);
  set_window(s, p);
  p.ceil_mode = ceil_mode != 0;
  p.count_include_pad = include_pad != 0;
  return b.bind_output(n, b.add(OpKind::kPool, n, "", {x}, p));
}
Status max_pool(OnnxBuilder& b, const onnx::NodeProto& n) { return pool(b, n, PoolKind::kMax); }
Status average_pool(OnnxBuilder& b, const onnx::NodeProto& n) {
  return pool(b, n, PoolKind::kAverage);
}

Status global_pool(OnnxBuilder& b, const onnx::NodeProto& n, ReduceOp op) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  return b.bind_output(n, b.add(OpKind::kReduce, n, "", {x}, ReduceParams{op, {2, 3}, true}));
}
Status global_average_pool(OnnxBuilder& b, const onnx::NodeProto& n) {
  return global_pool(b, n, ReduceOp::kMean);
}
Status global_max_pool(OnnxBuilder& b, const onnx::NodeProto& n) {
  return global_pool(b, n, ReduceOp::kMax);
}

// A per-channel vector as a constant shaped [C, 1, 1] for NCHW broadcasting.
Result<int> channel_constant(OnnxBuilder& b, const onnx::NodeProto& n, std::vector<float> v,
                             const std::string& suffix) {
  const int64_t c = static_cast<int64_t>(v.size());
  return b.graph().add_constant(OnnxBuilder::node_name(n) + suffix,
                                Tensor::from_vector<float>({c, 1, 1}, v));
}

Result<std::vector<float>> float_vector(OnnxBuilder& b, const onnx::NodeProto& n, size_t i) {
  TB_ASSIGN_OR_RETURN(const Tensor* t, b.constant_input(n, i));
  if (t->dtype() != DType::kFloat32)
    return b.error(n, "input " + std::to_string(i) + " must be float");
  return std::vector<float>(t->data<float>(), t->data<float>() + t->numel());
}

// y = x * s + t with s = scale / sqrt(var + eps), t = bias - mean * s (inference mode).
Status batch_norm(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(float eps, Attrs(n).f("epsilon", 1e-5f));
  TB_ASSIGN_OR_RETURN(auto scale, float_vector(b, n, 1));
  TB_ASSIGN_OR_RETURN(auto bias, float_vector(b, n, 2));
  TB_ASSIGN_OR_RETURN(auto mean, float_vector(b, n, 3));
  TB_ASSIGN_OR_RETURN(auto var, float_vector(b, n, 4));
  const size_t c = scale.size();
  if (bias.size() != c || mean.size() != c || var.size() != c)
    return b.error(n, "scale, bias, mean and var must have the same length");
  std::vector<float> s(c), t(c);
  for (size_t i = 0; i < c; ++i) {
    const double k = scale[i] / std::sqrt(static_cast<double>(var[i]) + eps);
    s[i] = static_cast<float>(k);
    t[i] = static_cast<float>(bias[i] - mean[i] * k);
  }
  TB_ASSIGN_OR_RETURN(int sv, channel_constant(b, n, s, "/scale"));
  TB_ASSIGN_OR_RETURN(int tv, channel_constant(b, n, t, "/shift"));
  const int m = b.add(OpKind::kBinary, n, "/mul", {x, sv}, BinaryParams{BinaryOp::kMul});
  return b.bind_output(n, b.add(OpKind::kBinary, n, "", {m, tv}, BinaryParams{BinaryOp::kAdd}));
}

// (x - mean) / sqrt(var + eps) over `axes`, then * scale + bias.
Status normalize(OnnxBuilder& b, const onnx::NodeProto& n, int x, std::vector<int64_t> axes,
                 float eps, int scale, int bias) {
  const std::string nm = OnnxBuilder::node_name(n);
  auto bin = [&](BinaryOp op, int l, int r, const char* s) {
    return b.add(OpKind::kBinary, n, s, {l, r}, BinaryParams{op});
  };
  const int mean =
      b.add(OpKind::kReduce, n, "/mean", {x}, ReduceParams{ReduceOp::kMean, axes, true});
  const int d = bin(BinaryOp::kSub, x, mean, "/centered");
  const int var = b.add(OpKind::kReduce, n, "/var", {bin(BinaryOp::kMul, d, d, "/sq")},
                        ReduceParams{ReduceOp::kMean, axes, true});
  const int stdv = b.add(OpKind::kUnary, n, "/std",
                         {bin(BinaryOp::kAdd, var, b.constant_f32(eps, nm), "/var_eps")},
                         UnaryParams{UnaryOp::kSqrt});
  int y = bin(BinaryOp::kDiv, d, stdv, "/normalized");
  if (scale >= 0) y = bin(BinaryOp::kMul, y, scale, bias >= 0 ? "/scaled" : "");
  if (bias >= 0) y = bin(BinaryOp::kAdd, y, bias, "");
  return b.bind_output(n, y);
}

// InstanceNormalization (NCHW, any rank >= 3): the InstanceNorm op.
Status instance_norm(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int scale, b.input(n, 1));
  TB_ASSIGN_OR_RETURN(int bias, b.input(n, 2));
  InstanceNormParams p;
  TB_ASSIGN_OR_RETURN(p.epsilon, Attrs(n).f("epsilon", 1e-5f));
  return b.bind_output(n, b.add(OpKind::kInstanceNorm, n, "", {x, scale, bias}, p));
}

Status layer_norm(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(float eps, a.f("epsilon", 1e-5f));
  TB_ASSIGN_OR_RETURN(int64_t axis, a.i("axis", -1));
  TB_ASSIGN_OR_RETURN(int64_t stash, a.i("stash_type", 1));
  (void)stash;
  if (axis >= 0)
    return unimplemented("node '" + OnnxBuilder::node_name(n) +
                         "' (LayerNormalization): a non-negative axis (needs the input rank)");
  std::vector<int64_t> axes;
  for (int64_t d = axis; d < 0; ++d) axes.push_back(d);
  TB_ASSIGN_OR_RETURN(int scale, b.input(n, 1));
  int bias = -1;
  if (b.has_input(n, 2)) {
    TB_ASSIGN_OR_RETURN(bias, b.input(n, 2));
  }
  return normalize(b, n, x, axes, eps, scale, bias);
}

// Y = alpha * A' B' + beta * C.
Status gemm(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int a_in, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int b_in, b.input(n, 1));
  Attrs at(n);
  TB_ASSIGN_OR_RETURN(float alpha, at.f("alpha", 1.f));
  TB_ASSIGN_OR_RETURN(float beta, at.f("beta", 1.f));
  TB_ASSIGN_OR_RETURN(int64_t ta, at.i("transA", 0));
  TB_ASSIGN_OR_RETURN(int64_t tb, at.i("transB", 0));
  const std::string nm = OnnxBuilder::node_name(n);
  if (ta) a_in = b.add(OpKind::kTranspose, n, "/transA", {a_in}, TransposeParams{{1, 0}});
  if (tb) b_in = b.add(OpKind::kTranspose, n, "/transB", {b_in}, TransposeParams{{1, 0}});
  const bool has_c = b.has_input(n, 2);
  int y =
      b.add(OpKind::kMatMul, n, has_c || alpha != 1.f ? "/matmul" : "", {a_in, b_in}, NoParams{});
  if (alpha != 1.f)
    y = b.add(OpKind::kBinary, n, has_c ? "/alpha" : "", {y, b.constant_f32(alpha, nm)},
              BinaryParams{BinaryOp::kMul});
  if (has_c) {
    TB_ASSIGN_OR_RETURN(int c, b.input(n, 2));
    if (beta != 1.f)
      c = b.add(OpKind::kBinary, n, "/beta", {c, b.constant_f32(beta, nm)},
                BinaryParams{BinaryOp::kMul});
    y = b.add(OpKind::kBinary, n, "", {y, c}, BinaryParams{BinaryOp::kAdd});
  }
  return b.bind_output(n, y);
}

Status softmax(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  const bool modern = b.opset() >= 13;
  TB_ASSIGN_OR_RETURN(int64_t axis, Attrs(n).i("axis", modern ? -1 : 1));
  if (modern || axis == -1)
    return b.bind_output(
        n, b.add(OpKind::kSoftmax, n, "", {x}, SoftmaxParams{static_cast<int>(axis)}));
  // Opset < 13: softmax over the flattened [prod(dims[:axis]), prod(dims[axis:])].
  ReshapeParams flat;
  flat.mode = ReshapeMode::kFlatten;
  flat.axis = axis;
  const int f = b.add(OpKind::kReshape, n, "/flatten", {x}, flat);
  const int s = b.add(OpKind::kSoftmax, n, "/softmax", {f}, SoftmaxParams{1});
  const int shape = b.add(OpKind::kShape, n, "/shape", {x}, NoParams{});
  return b.bind_output(n, b.add(OpKind::kReshape, n, "", {s, shape}, ReshapeParams{}));
}

Result<ResizeCoord> coord_mode(OnnxBuilder& b, const onnx::NodeProto& n, const std::string& s) {
  if (s == "half_pixel") return ResizeCoord::kHalfPixel;
  if (s == "asymmetric") return ResizeCoord::kAsymmetric;
  if (s == "align_corners") return ResizeCoord::kAlignCorners;
  if (s == "pytorch_half_pixel") return ResizeCoord::kPytorchHalfPixel;
  if (s == "tf_half_pixel_for_nn") return ResizeCoord::kTfHalfPixelForNn;
  if (s == "tf_crop_and_resize") return ResizeCoord::kTfCropAndResize;
  return unimplemented("node '" + OnnxBuilder::node_name(n) +
                       "' (Resize): coordinate_transformation_mode '" + s + "' is not supported");
}

Result<NearestRounding> nearest_mode(OnnxBuilder& b, const onnx::NodeProto& n,
                                     const std::string& s) {
  if (s == "round_prefer_floor") return NearestRounding::kRoundPreferFloor;
  if (s == "round_prefer_ceil") return NearestRounding::kRoundPreferCeil;
  if (s == "floor") return NearestRounding::kFloor;
  if (s == "ceil") return NearestRounding::kCeil;
  return b.error(n, "unknown nearest_mode '" + s + "'");
}

// Output size [H', W'] from a scales tensor: floor(dim * scale), folded at specialization.
int size_from_scales(OnnxBuilder& b, const onnx::NodeProto& n, int x, int scales) {
  const int shape = b.add(OpKind::kShape, n, "/shape", {x}, NoParams{});
  const int fshape = b.add(OpKind::kCast, n, "/shape_f", {shape}, CastParams{DType::kFloat32});
  const int scaled =
      b.add(OpKind::kBinary, n, "/scaled", {fshape, scales}, BinaryParams{BinaryOp::kMul});
  const int floored = b.add(OpKind::kUnary, n, "/floor", {scaled}, UnaryParams{UnaryOp::kFloor});
  const int isize = b.add(OpKind::kCast, n, "/size_i", {floored}, CastParams{DType::kInt64});
  const std::string nm = OnnxBuilder::node_name(n);
  return b.add(OpKind::kSlice, n, "/hw", {isize, b.constant_i64({2}, nm), b.constant_i64({4}, nm)},
               SliceParams{});
}

// Records constant H and W scales in the params: coordinates then map with 1/scale.
void record_scales(OnnxBuilder& b, int scales, ResizeParams* p) {
  const Value& v = b.graph().value(scales);
  if (!v.constant || v.constant->numel() != 4 || v.constant->dtype() != DType::kFloat32) return;
  p->scale_h = v.constant->data<float>()[2];
  p->scale_w = v.constant->data<float>()[3];
}

Status check_unit_nc_scales(OnnxBuilder& b, const onnx::NodeProto& n, int scales) {
  const Value& v = b.graph().value(scales);
  if (!v.constant) return Status::ok();  // computed: checked by shape inference of the size
  const Tensor& t = *v.constant;
  if (t.numel() != 4 || t.dtype() != DType::kFloat32)
    return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (" + n.op_type() +
                         "): only 4-D NCHW resizing with 4 float scales is supported");
  if (t.data<float>()[0] != 1.f || t.data<float>()[1] != 1.f)
    return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (" + n.op_type() +
                         "): scaling the batch or channel dims is not supported");
  return Status::ok();
}

// tf_crop_and_resize: the roi input (opset 11+) must be a constant [8] float tensor of
// normalized starts then ends, with the batch and channel axes uncropped (0 to 1).
Status read_roi(OnnxBuilder& b, const onnx::NodeProto& n, ResizeParams* p) {
  const std::string nm = "node '" + OnnxBuilder::node_name(n) + "' (Resize): ";
  if (!b.has_input(n, 1)) return b.error(n, "tf_crop_and_resize needs the roi input");
  TB_ASSIGN_OR_RETURN(int roi, b.input(n, 1));
  const Value& v = b.graph().value(roi);
  if (!v.constant)
    return unimplemented(nm + "tf_crop_and_resize needs a constant roi (initializer or "
                              "Constant); a roi computed at run time is not supported");
  if (v.constant->dtype() != DType::kFloat32 || v.constant->numel() != 8)
    return unimplemented(nm + "roi must hold 8 floats (4-D NCHW: starts then ends), got " +
                         std::to_string(v.constant->numel()) + " " +
                         dtype_name(v.constant->dtype()));
  const float* r = v.constant->data<float>();
  for (int i = 0; i < 8; ++i)
    if (!std::isfinite(r[i])) return b.error(n, "roi has a non-finite value");
  if (r[0] != 0.f || r[1] != 0.f || r[4] != 1.f || r[5] != 1.f)
    return unimplemented(nm + "cropping the batch or channel axes is not supported");
  p->roi_h0 = r[2];
  p->roi_w0 = r[3];
  p->roi_h1 = r[6];
  p->roi_w1 = r[7];
  return Status::ok();
}

Result<ResizeMode> resize_mode(const onnx::NodeProto& n, const std::string& mode) {
  if (mode == "nearest") return ResizeMode::kNearest;
  if (mode == "linear" || mode == "bilinear") return ResizeMode::kBilinear;
  if (mode == "cubic" || mode == "bicubic") return ResizeMode::kCubic;
  return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (" + n.op_type() + "): mode '" +
                       mode + "'");
}

Status resize(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  ResizeParams p;
  p.layout = Layout::kNCHW;
  TB_ASSIGN_OR_RETURN(std::string mode, a.s("mode", "nearest"));
  TB_ASSIGN_OR_RETURN(p.mode, resize_mode(n, mode));
  TB_ASSIGN_OR_RETURN(p.cubic_a, a.f("cubic_coeff_a", -0.75f));
  int size = -1;
  if (b.opset() < 11) {  // Resize-10: X, scales; asymmetric, nearest rounds down
    p.coord = ResizeCoord::kAsymmetric;
    p.nearest = NearestRounding::kFloor;
    TB_ASSIGN_OR_RETURN(int scales, b.input(n, 1));
    TB_RETURN_IF_ERROR(check_unit_nc_scales(b, n, scales));
    record_scales(b, scales, &p);
    // ONNX Runtime's Resize-10 nearest truncates when upsampling and rounds up when
    // downsampling (its "simple" mode); one rule per node here, so mixed axes are refused.
    const bool down = (p.scale_h > 0.f && p.scale_h < 1.f) || (p.scale_w > 0.f && p.scale_w < 1.f);
    const bool up = p.scale_h > 1.f || p.scale_w > 1.f;
    if (p.mode == ResizeMode::kNearest && down && up)
      return unimplemented("node '" + OnnxBuilder::node_name(n) +
                           "' (Resize-10): nearest upsampling one axis while downsampling the "
                           "other is not supported");
    if (p.mode == ResizeMode::kNearest && down) p.nearest = NearestRounding::kCeil;
    size = size_from_scales(b, n, x, scales);
  } else {
    TB_ASSIGN_OR_RETURN(std::string ct, a.s("coordinate_transformation_mode", "half_pixel"));
    TB_ASSIGN_OR_RETURN(p.coord, coord_mode(b, n, ct));
    TB_ASSIGN_OR_RETURN(std::string nmode, a.s("nearest_mode", "round_prefer_floor"));
    TB_ASSIGN_OR_RETURN(p.nearest, nearest_mode(b, n, nmode));
    TB_ASSIGN_OR_RETURN(int64_t antialias, a.i("antialias", 0));
    TB_ASSIGN_OR_RETURN(int64_t exclude_outside, a.i("exclude_outside", 0));
    TB_ASSIGN_OR_RETURN(p.extrapolation, a.f("extrapolation_value", 0.f));
    TB_ASSIGN_OR_RETURN(std::string policy, a.s("keep_aspect_ratio_policy", "stretch"));
    // antialias (opset 18) widens the filter by the downscale factor: a different kernel
    // (variable tap counts) that no model we run uses yet, so it is refused, not ignored.
    if (antialias)
      return unimplemented("node '" + OnnxBuilder::node_name(n) +
                           "' (Resize): antialias=1 is not supported");
    if (a.has("axes") || policy != "stretch")
      return unimplemented("node '" + OnnxBuilder::node_name(n) +
                           "' (Resize): the axes and keep_aspect_ratio_policy attributes are "
                           "not supported");
    if (exclude_outside && p.mode != ResizeMode::kCubic)
      return b.error(n, "exclude_outside is only defined for cubic mode");
    p.exclude_outside = exclude_outside != 0;
    if (p.coord == ResizeCoord::kTfCropAndResize) {
      TB_RETURN_IF_ERROR(read_roi(b, n, &p));
      if (!b.has_input(n, 3))
        return unimplemented("node '" + OnnxBuilder::node_name(n) +
                             "' (Resize): tf_crop_and_resize with scales (rather than sizes) is "
                             "not supported");
    }
    const std::string nm = OnnxBuilder::node_name(n);
    if (b.has_input(n, 3)) {
      TB_ASSIGN_OR_RETURN(int sizes, b.input(n, 3));
      size = b.add(OpKind::kSlice, n, "/hw",
                   {sizes, b.constant_i64({2}, nm), b.constant_i64({4}, nm)}, SliceParams{});
    } else if (b.has_input(n, 2)) {
      TB_ASSIGN_OR_RETURN(int scales, b.input(n, 2));
      const Value& sv = b.graph().value(scales);
      if (sv.constant && sv.constant->numel() == 0)
        return b.error(n, "neither scales nor sizes given");
      TB_RETURN_IF_ERROR(check_unit_nc_scales(b, n, scales));
      record_scales(b, scales, &p);
      size = size_from_scales(b, n, x, scales);
    } else {
      return b.error(n, "neither scales nor sizes given");
    }
  }
  return b.bind_output(n, b.add(OpKind::kResize, n, "", {x, size}, p));
}

Status upsample(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  ResizeParams p;
  p.layout = Layout::kNCHW;
  p.coord = ResizeCoord::kAsymmetric;
  p.nearest = NearestRounding::kFloor;
  TB_ASSIGN_OR_RETURN(std::string mode, Attrs(n).s("mode", "nearest"));
  TB_ASSIGN_OR_RETURN(p.mode, resize_mode(n, mode));
  int scales;
  if (b.has_input(n, 1)) {
    TB_ASSIGN_OR_RETURN(scales, b.input(n, 1));
  } else {  // opset 7: scales attribute
    TB_ASSIGN_OR_RETURN(auto s, Attrs(n).floats("scales"));
    scales =
        b.graph().add_constant(OnnxBuilder::node_name(n) + "/scales",
                               Tensor::from_vector<float>({static_cast<int64_t>(s.size())}, s));
  }
  TB_RETURN_IF_ERROR(check_unit_nc_scales(b, n, scales));
  record_scales(b, scales, &p);
  return b.bind_output(n, b.add(OpKind::kResize, n, "", {x, size_from_scales(b, n, x, scales)}, p));
}

Status pad(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  PadParams p;
  TB_ASSIGN_OR_RETURN(std::string mode, a.s("mode", "constant"));
  if (mode == "constant")
    p.mode = PadKind::kConstant;
  else if (mode == "reflect")
    p.mode = PadKind::kReflect;
  else if (mode == "edge")
    p.mode = PadKind::kEdge;
  else
    return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (Pad): mode '" + mode + "'");
  int pads;
  if (b.opset() < 11) {
    TB_ASSIGN_OR_RETURN(auto v, a.ints("pads"));
    TB_ASSIGN_OR_RETURN(p.value, a.f("value", 0.f));
    pads = b.constant_i64(v, OnnxBuilder::node_name(n));
  } else {
    TB_ASSIGN_OR_RETURN(pads, b.input(n, 1));
    if (b.has_input(n, 2)) {
      TB_ASSIGN_OR_RETURN(p.value, b.constant_scalar(n, 2));
    }
    if (b.has_input(n, 3))
      return unimplemented("node '" + OnnxBuilder::node_name(n) + "' (Pad): the axes input");
  }
  return b.bind_output(n, b.add(OpKind::kPad, n, "", {x, pads}, p));
}

// DepthToSpace (modes DCR and CRD) and SpaceToDepth, NCHW.
Status depth_space(OnnxBuilder& b, const onnx::NodeProto& n, bool to_space) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(int64_t bs64, a.i("blocksize"));
  if (bs64 < 1 || bs64 > 4096) return b.error(n, "bad blocksize");
  const int block = static_cast<int>(bs64);
  if (!to_space)
    return b.bind_output(
        n, b.add(OpKind::kSpaceToDepth, n, "", {x}, SpaceToDepthParams{Layout::kNCHW, block}));
  TB_ASSIGN_OR_RETURN(std::string mode, a.s("mode", "DCR"));
  if (mode != "DCR" && mode != "CRD") return b.error(n, "unknown mode '" + mode + "'");
  const DepthToSpaceParams p{Layout::kNCHW, block,
                             mode == "CRD" ? DepthToSpaceMode::kCrd : DepthToSpaceMode::kDcr};
  return b.bind_output(n, b.add(OpKind::kDepthToSpace, n, "", {x}, p));
}
Status depth_to_space(OnnxBuilder& b, const onnx::NodeProto& n) { return depth_space(b, n, true); }
Status space_to_depth(OnnxBuilder& b, const onnx::NodeProto& n) { return depth_space(b, n, false); }

}  // namespace

void add_nn_translators(std::map<std::string, Translator>& t) {
  t["Conv"] = conv;
  t["ConvTranspose"] = conv_transpose;
  t["MaxPool"] = max_pool;
  t["AveragePool"] = average_pool;
  t["GlobalAveragePool"] = global_average_pool;
  t["GlobalMaxPool"] = global_max_pool;
  t["BatchNormalization"] = batch_norm;
  t["InstanceNormalization"] = instance_norm;
  t["LayerNormalization"] = layer_norm;
  t["Gemm"] = gemm;
  t["Softmax"] = softmax;
  t["Resize"] = resize;
  t["Upsample"] = upsample;
  t["Pad"] = pad;
  t["DepthToSpace"] = depth_to_space;
  t["SpaceToDepth"] = space_to_depth;
}

}  // namespace toonbox::onnx_import
