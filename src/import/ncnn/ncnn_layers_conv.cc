// Convolution, Deconvolution and InnerProduct (src/layer/{convolution,deconvolution,
// innerproduct}.cpp in ncnn), with their fused activations (fused_activation.h).
#include <cstring>

#include "import/ncnn/ncnn_layer_params.h"
#include "import/ncnn/ncnn_layers.h"

namespace toonbox::ncnn {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::Conv2DParams;
using graph::ConvTransposeParams;
using graph::Layout;
using graph::OpKind;
using graph::OpParams;
using graph::PadKind;
using graph::PadMode;
using graph::PadParams;
using graph::ReshapeParams;
using graph::UnaryOp;
using graph::UnaryParams;

namespace {

// ncnn's fused activation_type (param 9) and activation_params (param 10).
struct FusedActivation {
  int type = 0;
  std::vector<float> params;
};

Status check_activation(const Layer& l, const FusedActivation& a) {
  static constexpr int kParamCount[] = {0, 0, 1, 2, 0, 0, 2};
  if (a.type < 0 || a.type > 6)
    return unimplemented(l.where() + ": fused activation_type (9) " + std::to_string(a.type) +
                         " is not supported (known: 0 none, 1 relu, 2 leakyrelu, 3 clip, "
                         "4 sigmoid, 5 mish, 6 hardswish)");
  if (static_cast<int>(a.params.size()) < kParamCount[a.type])
    return data_loss(l.where() + ": activation_params (10): got " +
                     std::to_string(a.params.size()) + " values, expected " +
                     std::to_string(kParamCount[a.type]) + " for activation_type " +
                     std::to_string(a.type));
  return Status::ok();
}

// The activation as IR nodes after `x`; fuse_conv_activation later folds relu, leaky
// relu, clip and sigmoid into the convolution's epilogue.
int apply_activation(Builder& b, const Layer& l, int x, const FusedActivation& a) {
  auto unary = [&](UnaryOp op, int in, const char* s, float alpha = 0, float beta = 0) {
    return b.add(OpKind::kUnary, l, s, {in}, UnaryParams{op, alpha, beta});
  };
  auto mul = [&](int p, int q) {
    return b.add(OpKind::kBinary, l, "/act", {p, q}, BinaryParams{BinaryOp::kMul});
  };
  switch (a.type) {
    case 1:
      return unary(UnaryOp::kRelu, x, "/relu");
    case 2:
      return unary(UnaryOp::kLeakyRelu, x, "/leakyrelu", a.params[0]);
    case 3:
      return unary(UnaryOp::kClip, x, "/clip", a.params[0], a.params[1]);
    case 4:
      return unary(UnaryOp::kSigmoid, x, "/sigmoid");
    case 5: {  // mish: x * tanh(log(exp(x) + 1)), as ncnn computes it
      const int e = unary(UnaryOp::kExp, x, "/mish_exp");
      const int one = b.constant(l, "/mish_one", Tensor::from_vector<float>({}, {1.f}));
      const int sp = b.add(OpKind::kBinary, l, "/mish_add", {e, one}, BinaryParams{BinaryOp::kAdd});
      return mul(x, unary(UnaryOp::kTanh, unary(UnaryOp::kLog, sp, "/mish_log"), "/mish_tanh"));
    }
    case 6:  // hardswish: x * clamp(alpha x + beta, 0, 1), ncnn's piecewise form
      return mul(x, unary(UnaryOp::kHardSigmoid, x, "/hardswish", a.params[0], a.params[1]));
    default:
      return x;
  }
}

// The layer's node over `x` with its weights (and bias when the layer has one), then
// its fused activation, bound to the layer's output.
void add_weighted_node(Builder& b, const Layer& l, OpKind kind, int x, Tensor weights,
                       const Weights& w, bool bias, int num_output, const FusedActivation& act,
                       OpParams params, int out_rank) {
  std::vector<int> inputs = {x, b.constant(l, "/weights", std::move(weights))};
  if (bias)
    inputs.push_back(b.constant(l, "/bias", Tensor::from_vector<float>({num_output}, w[1].values)));
  const int y = b.add(kind, l, act.type ? "/linear" : "", inputs, std::move(params));
  b.bind(l, 0, {apply_activation(b, l, y, act), out_rank, num_output});
}

// The parameters Convolution and Deconvolution share (same ids), and their weight reads.
struct ConvArgs {
  int num_output = 0, kernel_w = 0, kernel_h = 0, dilation_w = 1, dilation_h = 1;
  int stride_w = 1, stride_h = 1, pad_left = 0, pad_right = 0, pad_top = 0, pad_bottom = 0;
  int bias_term = 0, weight_data_size = 0;
  int64_t num_input = 0;  // weight_data_size / (num_output * kernel_h * kernel_w)
  FusedActivation activation;
  // Convolution only
  float pad_value = 0.f;
  int int8_scale_term = 0;
  // Deconvolution only
  int output_pad_right = 0, output_pad_bottom = 0, output_w = 0, output_h = 0;
  int dynamic_weight = 0;
};

Result<ConvArgs> conv_args(const Layer& l, bool deconv) {
  LayerParams p(l);
  ConvArgs a;
  a.num_output = p.i(0, 0);
  a.kernel_w = p.i(1, 0);
  a.kernel_h = p.i(11, a.kernel_w);
  a.dilation_w = p.i(2, 1);
  a.dilation_h = p.i(12, a.dilation_w);
  a.stride_w = p.i(3, 1);
  a.stride_h = p.i(13, a.stride_w);
  a.pad_left = p.i(4, 0);
  a.pad_right = p.i(15, a.pad_left);
  a.pad_top = p.i(14, a.pad_left);
  a.pad_bottom = p.i(16, a.pad_top);
  a.bias_term = p.i(5, 0);
  a.weight_data_size = p.i(6, 0);
  a.activation.type = p.i(9, 0);
  a.activation.params = p.floats(10);
  if (deconv) {
    a.output_pad_right = p.i(18, 0);
    a.output_pad_bottom = p.i(19, a.output_pad_right);
    a.output_w = p.i(20, 0);
    a.output_h = p.i(21, a.output_w);
    a.dynamic_weight = p.i(28, 0);
  } else {
    a.pad_value = p.f(18, 0.f);
    a.int8_scale_term = p.i(8, 0);
    a.dynamic_weight = p.i(19, 0);
  }
  p.range(a.num_output, 1, kMaxChannels, 0, "num_output");
  p.range(a.kernel_w, 1, kMaxKernel, 1, "kernel_w");
  p.range(a.kernel_h, 1, kMaxKernel, 11, "kernel_h");
  p.range(a.dilation_w, 1, kMaxKernel, 2, "dilation_w");
  p.range(a.dilation_h, 1, kMaxKernel, 12, "dilation_h");
  p.range(a.stride_w, 1, kMaxKernel, 3, "stride_w");
  p.range(a.stride_h, 1, kMaxKernel, 13, "stride_h");
  p.range(a.bias_term, 0, 1, 5, "bias_term");
  p.range(a.output_pad_right, 0, kMaxKernel, 18, "output_pad_right");
  p.range(a.output_pad_bottom, 0, kMaxKernel, 19, "output_pad_bottom");
  TB_RETURN_IF_ERROR(p.status());
  TB_RETURN_IF_ERROR(check_activation(l, a.activation));
  if (a.dynamic_weight)
    return unimplemented(l.where() +
                         ": dynamic weights (weights from an input blob) are not "
                         "supported");
  if (a.int8_scale_term)
    return unimplemented(l.where() +
                         ": int8-quantized layers (8=int8_scale_term) are not "
                         "supported: toonbox runs float weights");
  if (a.output_w > 0 || a.output_h > 0)
    return unimplemented(l.where() +
                         ": a fixed output size (20=output_w, 21=output_h) is not "
                         "supported");
  const int64_t per_input = int64_t{a.num_output} * a.kernel_h * a.kernel_w;
  if (a.weight_data_size <= 0 || a.weight_data_size % per_input != 0)
    return data_loss(l.where() + ": weight_data_size (6): got " +
                     std::to_string(a.weight_data_size) + ", expected a positive multiple of " +
                     std::to_string(per_input) + " (num_output x kernel_h x kernel_w)");
  a.num_input = a.weight_data_size / per_input;
  return a;
}

std::vector<WeightRead> conv_reads(const ConvArgs& a) {
  std::vector<WeightRead> r = {{a.weight_data_size, 0, "weights"}};
  if (a.bias_term) r.push_back({a.num_output, 1, "bias"});
  return r;
}

// ncnn pads: all >= 0 are explicit; all -233 is SAME_UPPER, all -234 SAME_LOWER.
Result<PadMode> conv_pad_mode(const Layer& l, const ConvArgs& a) {
  const int pads[] = {a.pad_left, a.pad_right, a.pad_top, a.pad_bottom};
  bool explicit_pads = true, upper = true, lower = true;
  for (int v : pads) {
    explicit_pads = explicit_pads && v >= 0 && v <= kMaxKernel;
    upper = upper && v == -233;
    lower = lower && v == -234;
  }
  if (explicit_pads) return PadMode::kExplicit;
  if (upper) return PadMode::kSameUpper;
  if (lower) return PadMode::kSameLower;
  return unimplemented(l.where() + ": pads left/right/top/bottom (4/15/14/16) " +
                       std::to_string(a.pad_left) + "/" + std::to_string(a.pad_right) + "/" +
                       std::to_string(a.pad_top) + "/" + std::to_string(a.pad_bottom) +
                       ": expected all >= 0, all -233 (SAME_UPPER) or all -234 (SAME_LOWER)");
}

Status check_float_storage(const Layer& l, const WeightArray& w, const char* what) {
  if (w.storage == WeightStorage::kInt8)
    return data_loss(l.where() + ": its " + what +
                     " are stored as int8 (tag 0x000D4B38) but the layer has no int8_scale_term "
                     "(8): expected float weights");
  return Status::ok();
}

Status check_input_channels(Builder& b, const Layer& l, int64_t expected) {
  const BlobValue& in = b.input(l, 0);
  if (in.rank != 3)
    return b.unsupported(
        l, "expected a 3-D (CHW) input, got a " + std::to_string(in.rank) + "-D blob");
  if (in.channels >= 0 && in.channels != expected)
    return b.error(l, "got an input of " + std::to_string(in.channels) + " channels, expected " +
                          std::to_string(expected) +
                          " (weight_data_size / (num_output x kernel_h x kernel_w))");
  return Status::ok();
}

Result<std::vector<WeightRead>> convolution_reads(const Layer& l) {
  TB_ASSIGN_OR_RETURN(ConvArgs a, conv_args(l, false));
  TB_RETURN_IF_ERROR(conv_pad_mode(l, a).status());
  return conv_reads(a);
}

Status convolution_build(Builder& b, const Layer& l, Weights& w) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(ConvArgs a, conv_args(l, false));
  TB_ASSIGN_OR_RETURN(PadMode mode, conv_pad_mode(l, a));
  TB_RETURN_IF_ERROR(check_input_channels(b, l, a.num_input));
  TB_RETURN_IF_ERROR(check_float_storage(l, w[0], "weights"));
  int x = b.input(l, 0).value;
  Conv2DParams p;
  p.layout = Layout::kNCHW;
  p.stride_h = a.stride_h;
  p.stride_w = a.stride_w;
  p.dilation_h = a.dilation_h;
  p.dilation_w = a.dilation_w;
  p.pad_mode = mode;
  const bool padded = mode == PadMode::kExplicit &&
                      (a.pad_left > 0 || a.pad_right > 0 || a.pad_top > 0 || a.pad_bottom > 0);
  if (a.pad_value != 0.f && padded) {
    // ncnn pads with pad_value (18); the IR convolution pads with zeros, so pad first.
    PadParams pp{PadKind::kConstant, a.pad_value};
    const int pads =
        b.constant_i64(l, {0, 0, a.pad_top, a.pad_left, 0, 0, a.pad_bottom, a.pad_right});
    x = b.add(OpKind::kPad, l, "/pad", {x, pads}, pp);
  } else if (a.pad_value != 0.f && mode != PadMode::kExplicit) {
    return b.unsupported(l, "a non-zero pad_value (18) with SAME padding is not supported");
  } else if (mode == PadMode::kExplicit) {
    p.pad_top = a.pad_top;
    p.pad_bottom = a.pad_bottom;
    p.pad_left = a.pad_left;
    p.pad_right = a.pad_right;
  }
  Tensor weights(DType::kFloat32, {a.num_output, a.num_input, a.kernel_h, a.kernel_w});
  std::memcpy(weights.raw(), w[0].values.data(), weights.nbytes());  // ncnn stores OIHW
  add_weighted_node(b, l, OpKind::kConv2D, x, std::move(weights), w, a.bias_term, a.num_output,
                    a.activation, p, 3);
  return Status::ok();
}

Result<std::vector<WeightRead>> deconvolution_reads(const Layer& l) {
  TB_ASSIGN_OR_RETURN(ConvArgs a, conv_args(l, true));
  for (int v : {a.pad_left, a.pad_right, a.pad_top, a.pad_bottom})
    if (v < 0 || v > kMaxKernel)
      return unimplemented(l.where() + ": pad " + std::to_string(v) +
                           ": only explicit pads (>= 0) are supported");
  return conv_reads(a);
}

Status deconvolution_build(Builder& b, const Layer& l, Weights& w) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(ConvArgs a, conv_args(l, true));
  TB_RETURN_IF_ERROR(check_input_channels(b, l, a.num_input));
  TB_RETURN_IF_ERROR(check_float_storage(l, w[0], "weights"));
  ConvTransposeParams p;
  p.stride_h = a.stride_h;
  p.stride_w = a.stride_w;
  p.dilation_h = a.dilation_h;
  p.dilation_w = a.dilation_w;
  p.pad_top = a.pad_top;
  p.pad_bottom = a.pad_bottom;
  p.pad_left = a.pad_left;
  p.pad_right = a.pad_right;
  p.output_pad_h = a.output_pad_bottom;
  p.output_pad_w = a.output_pad_right;
  // ncnn stores [out][in][kh][kw] (deconvolution.cpp indexes weight + maxk * inch * p);
  // the IR's ConvTranspose takes ONNX's [in][out][kh][kw]. The kernel is not flipped in
  // either.
  const int64_t o = a.num_output, in = a.num_input, k = int64_t{a.kernel_h} * a.kernel_w;
  Tensor weights(DType::kFloat32, {in, o, a.kernel_h, a.kernel_w});
  float* dst = weights.data<float>();
  const float* src = w[0].values.data();
  for (int64_t oc = 0; oc < o; ++oc)
    for (int64_t ic = 0; ic < in; ++ic)
      std::memcpy(dst + (ic * o + oc) * k, src + (oc * in + ic) * k, k * sizeof(float));
  add_weighted_node(b, l, OpKind::kConvTranspose, b.input(l, 0).value, std::move(weights), w,
                    a.bias_term, a.num_output, a.activation, p, 3);
  return Status::ok();
}

struct InnerProductArgs {
  int num_output = 0, bias_term = 0, weight_data_size = 0;
  FusedActivation activation;
};

Result<InnerProductArgs> inner_product_args(const Layer& l) {
  LayerParams p(l);
  InnerProductArgs a;
  a.num_output = p.i(0, 0);
  a.bias_term = p.i(1, 0);
  a.weight_data_size = p.i(2, 0);
  const int int8_scale_term = p.i(8, 0);
  a.activation.type = p.i(9, 0);
  a.activation.params = p.floats(10);
  p.range(a.num_output, 1, kMaxChannels, 0, "num_output");
  p.range(a.bias_term, 0, 1, 1, "bias_term");
  TB_RETURN_IF_ERROR(p.status());
  TB_RETURN_IF_ERROR(check_activation(l, a.activation));
  if (int8_scale_term)
    return unimplemented(l.where() +
                         ": int8-quantized layers (8=int8_scale_term) are not "
                         "supported: toonbox runs float weights");
  if (a.weight_data_size <= 0 || a.weight_data_size % a.num_output != 0)
    return data_loss(l.where() + ": weight_data_size (2): got " +
                     std::to_string(a.weight_data_size) + ", expected a positive multiple of " +
                     std::to_string(a.num_output) + " (num_output)");
  return a;
}

Result<std::vector<WeightRead>> inner_product_reads(const Layer& l) {
  TB_ASSIGN_OR_RETURN(InnerProductArgs a, inner_product_args(l));
  std::vector<WeightRead> r = {{a.weight_data_size, 0, "weights"}};
  if (a.bias_term) r.push_back({a.num_output, 1, "bias"});
  return r;
}

// InnerProduct flattens its input (C, H, W in that order) and multiplies by the
// [num_output, inputs] weights: in the IR, a 1x1 convolution over [N, inputs, 1, 1],
// which keeps the batch dim and takes the fused activation like any convolution.
Status inner_product_build(Builder& b, const Layer& l, Weights& w) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(InnerProductArgs a, inner_product_args(l));
  TB_RETURN_IF_ERROR(check_float_storage(l, w[0], "weights"));
  const int64_t inputs = a.weight_data_size / a.num_output;
  const BlobValue& in = b.input(l, 0);
  int x = in.value;
  if (in.rank == 1 && in.channels >= 0 && in.channels != inputs)
    return b.error(l, "got an input of " + std::to_string(in.channels) + " values, expected " +
                          std::to_string(inputs) + " (weight_data_size / num_output)");
  if (in.rank != 1)  // [N, C, H, W] -> [N, C*H*W, 1, 1], per image
    x = b.add(OpKind::kReshape, l, "/flatten", {x, b.constant_i64(l, {0, -1, 1, 1})},
              ReshapeParams{});
  Tensor weights(DType::kFloat32, {a.num_output, inputs, 1, 1});
  std::memcpy(weights.raw(), w[0].values.data(), weights.nbytes());
  Conv2DParams p;
  p.layout = Layout::kNCHW;
  add_weighted_node(b, l, OpKind::kConv2D, x, std::move(weights), w, a.bias_term, a.num_output,
                    a.activation, p, 1);
  return Status::ok();
}

}  // namespace

void add_conv_layers(LayerTable& t) {
  t["Convolution"] = {convolution_reads, convolution_build};
  t["Deconvolution"] = {deconvolution_reads, deconvolution_build};
  t["InnerProduct"] = {inner_product_reads, inner_product_build};
}

}  // namespace toonbox::ncnn
