#include "import/tfjs/tfjs_ops.h"

#include <algorithm>

namespace toonbox::tfjs {

using graph::Activation;
using graph::BinaryOp;
using graph::BinaryParams;
using graph::Conv2DParams;
using graph::Layout;
using graph::NearestRounding;
using graph::NoParams;
using graph::OpKind;
using graph::PackParams;
using graph::PadMode;
using graph::ResizeCoord;
using graph::ResizeMode;
using graph::ResizeParams;
using graph::StridedSliceParams;
using graph::UnaryOp;
using graph::UnaryParams;

namespace {

// Conv strides, dilations and pads beyond this are not real models.
constexpr int64_t kMaxConvParam = 1 << 16;

using Translator = Result<int> (*)(GraphBuilder&, const TfNode&);

Status node_error(const TfNode& n, const std::string& what) {
  return data_loss("node '" + n.name + "' (" + n.op + "): " + what);
}

Status node_unimplemented(const TfNode& n, const std::string& what) {
  return unimplemented("node '" + n.name + "' (" + n.op + "): " + what);
}

Status expect_inputs(const TfNode& n, size_t min, size_t max) {
  if (n.inputs.size() < min || n.inputs.size() > max) {
    return node_error(n, "has " + std::to_string(n.inputs.size()) + " inputs, expected " +
                             (min == max ? std::to_string(min)
                                         : std::to_string(min) + ".." + std::to_string(max)));
  }
  return Status::ok();
}

Status check_nhwc(const TfNode& n) {
  TB_ASSIGN_OR_RETURN(std::string format, TfAttrs(n).str("data_format", "NHWC"));
  if (format != "NHWC")
    return node_unimplemented(n, "data_format " + format + " (only NHWC is supported)");
  return Status::ok();
}

// ---- sources ------------------------------------------------------------------------

Result<int> translate_placeholder(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 0, 0));
  TfAttrs attrs(n);
  TB_ASSIGN_OR_RETURN(DType dtype, attrs.type("dtype"));
  if (!attrs.has("shape")) return node_unimplemented(n, "input without a 'shape' attribute");
  TB_ASSIGN_OR_RETURN(Shape shape, attrs.shape("shape"));
  return b.graph().add_input(n.name, dtype, shape);
}

Result<int> translate_const(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 0, 0));
  const Tensor* w = b.weight(n.name);
  if (!w) return node_error(n, "no weight named '" + n.name + "' in weightsManifest");
  TfAttrs attrs(n);
  if (attrs.has("dtype")) {
    TB_ASSIGN_OR_RETURN(DType dtype, attrs.type("dtype"));
    if (dtype != w->dtype()) {
      return node_error(n, std::string("type ") + dtype_name(dtype) + " but its weight is " +
                               dtype_name(w->dtype()));
    }
  }
  // The shape the node declares must be the shape the manifest stores.
  if (n.attr.contains("value") && n.attr["value"].is_object() &&
      n.attr["value"].contains("tensor") && n.attr["value"]["tensor"].is_object() &&
      n.attr["value"]["tensor"].contains("tensorShape")) {
    TB_ASSIGN_OR_RETURN(Shape declared, parse_shape_proto(n.attr["value"]["tensor"]["tensorShape"],
                                                          "node '" + n.name + "' value shape"));
    if (declared != w->shape()) {
      return node_error(n, "declares shape " + shape_to_string(declared) + " but its weight has " +
                               shape_to_string(w->shape()));
    }
  }
  return b.graph().add_constant(n.name, *w);
}

Result<int> translate_identity(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 1, 1));
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  return b.graph().add_node(OpKind::kIdentity, n.name, {x}, NoParams{});
}

// ---- convolutions -------------------------------------------------------------------

// Reads a 4-element NHWC attribute like strides: [1, h, w, 1].
Result<std::pair<int, int>> spatial_pair(const TfNode& n, const std::string& key,
                                         std::optional<std::vector<int64_t>> def) {
  TfAttrs attrs(n);
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> v, attrs.ints(key, def));
  if (v.size() != 4) return attrs.error(key, "expected 4 ints, got " + std::to_string(v.size()));
  if (v[0] != 1 || v[3] != 1)
    return node_unimplemented(n, key + " on the batch or channel dimension");
  for (int i = 1; i <= 2; ++i) {
    if (v[i] < 1 || v[i] > kMaxConvParam)
      return attrs.error(key, "value " + std::to_string(v[i]) + " out of range");
  }
  return std::make_pair(static_cast<int>(v[1]), static_cast<int>(v[2]));
}

Status read_padding(const TfNode& n, Conv2DParams* p) {
  TfAttrs attrs(n);
  TB_ASSIGN_OR_RETURN(std::string padding, attrs.str("padding"));
  if (padding == "SAME") {
    p->pad_mode = PadMode::kSameUpper;  // TF puts the odd pad at the end
  } else if (padding == "VALID") {
    p->pad_mode = PadMode::kValid;
  } else if (padding == "EXPLICIT") {
    TB_ASSIGN_OR_RETURN(std::vector<int64_t> pads, attrs.ints("explicit_paddings"));
    if (pads.size() != 8)
      return attrs.error("explicit_paddings",
                         "expected 8 ints, got " + std::to_string(pads.size()));
    for (int64_t v : pads) {
      if (v < 0 || v > kMaxConvParam)
        return attrs.error("explicit_paddings", "value " + std::to_string(v) + " out of range");
    }
    if (pads[0] || pads[1] || pads[6] || pads[7])
      return node_unimplemented(n, "padding on the batch or channel dimension");
    p->pad_mode = PadMode::kExplicit;
    p->pad_top = static_cast<int>(pads[2]);
    p->pad_bottom = static_cast<int>(pads[3]);
    p->pad_left = static_cast<int>(pads[4]);
    p->pad_right = static_cast<int>(pads[5]);
  } else {
    return attrs.error("padding", "unknown padding '" + padding + "'");
  }
  return Status::ok();
}

// Fused epilogue of _FusedConv2D: fused_ops ["BiasAdd"] or ["BiasAdd", <activation>].
Status read_fused_ops(const TfNode& n, Activation* act, bool* has_bias) {
  TfAttrs attrs(n);
  TB_ASSIGN_OR_RETURN(std::vector<std::string> ops, attrs.strs("fused_ops"));
  TB_ASSIGN_OR_RETURN(int64_t num_args, attrs.i("num_args", int64_t{0}));
  std::string list;
  for (const std::string& s : ops) list += (list.empty() ? "" : ", ") + s;
  if (ops.empty() || ops.size() > 2 || ops[0] != "BiasAdd")
    return node_unimplemented(n, "fused_ops [" + list + "] (supported: BiasAdd[, activation])");
  if (num_args != 1)
    return attrs.error("num_args", "expected 1 for BiasAdd, got " + std::to_string(num_args));
  *has_bias = true;
  if (ops.size() == 1) return Status::ok();
  const std::string& a = ops[1];
  if (a == "Relu") {
    act->op = UnaryOp::kRelu;
  } else if (a == "Relu6") {
    *act = Activation{UnaryOp::kClip, 0.f, 6.f};
  } else if (a == "LeakyRelu") {
    TB_ASSIGN_OR_RETURN(float alpha, attrs.f("leakyrelu_alpha", 0.2f));
    *act = Activation{UnaryOp::kLeakyRelu, alpha, 0.f};
  } else if (a == "Sigmoid") {
    act->op = UnaryOp::kSigmoid;
  } else if (a == "Tanh") {
    act->op = UnaryOp::kTanh;
  } else {
    return node_unimplemented(n, "fused activation " + a + " in fused_ops [" + list + "]");
  }
  return Status::ok();
}

// Depthwise filters are [kh, kw, in, mult]; output channel o = c * mult + m reads input
// channel c, so as a grouped conv: OIHW [in * mult, 1, kh, kw] with groups = in.
Result<Tensor> depthwise_to_oihw(const Tensor& f) {
  const int64_t KH = f.dim(0), KW = f.dim(1), C = f.dim(2), M = f.dim(3);
  TB_ASSIGN_OR_RETURN(Tensor w, Tensor::create(DType::kFloat32, {C * M, 1, KH, KW}));
  const float* src = f.data<float>();
  float* dst = w.data<float>();
  for (int64_t h = 0; h < KH; ++h)
    for (int64_t x = 0; x < KW; ++x)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t m = 0; m < M; ++m)
          dst[((c * M + m) * KH + h) * KW + x] = src[((h * KW + x) * C + c) * M + m];
  return w;
}

Result<int> translate_conv(GraphBuilder& b, const TfNode& n) {
  const bool depthwise = n.op.find("Depthwise") != std::string::npos;
  const bool fused = n.op.rfind("_Fused", 0) == 0 || n.op.rfind("Fused", 0) == 0;
  TB_RETURN_IF_ERROR(check_nhwc(n));
  Conv2DParams p;
  p.layout = Layout::kNHWC;
  TB_ASSIGN_OR_RETURN(auto strides, spatial_pair(n, "strides", std::nullopt));
  TB_ASSIGN_OR_RETURN(auto dilations,
                      spatial_pair(n, "dilations", std::vector<int64_t>{1, 1, 1, 1}));
  p.stride_h = strides.first;
  p.stride_w = strides.second;
  p.dilation_h = dilations.first;
  p.dilation_w = dilations.second;
  TB_RETURN_IF_ERROR(read_padding(n, &p));
  bool has_bias = false;
  if (fused) TB_RETURN_IF_ERROR(read_fused_ops(n, &p.activation, &has_bias));
  TB_RETURN_IF_ERROR(expect_inputs(n, has_bias ? 3 : 2, has_bias ? 3 : 2));

  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(const Tensor* filter, b.constant_input(n, 1));
  if (!filter) return node_unimplemented(n, "the filter must be a constant");
  if (filter->dtype() != DType::kFloat32 || filter->rank() != 4) {
    return node_error(n, std::string("filter must be a 4-D float32 tensor, got ") +
                             dtype_name(filter->dtype()) + " " + shape_to_string(filter->shape()));
  }
  Tensor w;
  if (depthwise) {
    if (filter->dim(2) < 1 || filter->dim(2) > INT32_MAX)
      return node_error(n, "filter has " + std::to_string(filter->dim(2)) + " input channels");
    p.groups = static_cast<int>(filter->dim(2));
    TB_ASSIGN_OR_RETURN(w, depthwise_to_oihw(*filter));
  } else {
    TB_ASSIGN_OR_RETURN(w, hwio_to_oihw(*filter));
  }
  const int64_t out_channels = w.dim(0);
  // Named after the filter node: the HWIO original is pruned when nothing else reads it.
  std::vector<int> inputs = {x, b.graph().add_constant(n.inputs[1].node, w)};
  if (has_bias) {
    TB_ASSIGN_OR_RETURN(const Tensor* bias, b.constant_input(n, 2));
    if (bias &&
        (bias->rank() != 1 || bias->dim(0) != out_channels || bias->dtype() != DType::kFloat32)) {
      return node_error(n, "bias " + shape_to_string(bias->shape()) + " does not match " +
                               std::to_string(out_channels) + " output channels");
    }
    TB_ASSIGN_OR_RETURN(int bias_value, b.input(n, 2));
    inputs.push_back(bias_value);
  }
  return b.graph().add_node(OpKind::kConv2D, n.name, std::move(inputs), p);
}

// ---- element-wise -------------------------------------------------------------------

BinaryOp binary_op_for(const std::string& op) {
  if (op == "Sub") return BinaryOp::kSub;
  if (op == "Mul") return BinaryOp::kMul;
  if (op == "RealDiv" || op == "Div") return BinaryOp::kDiv;
  if (op == "Maximum") return BinaryOp::kMax;
  if (op == "Minimum") return BinaryOp::kMin;
  return BinaryOp::kAdd;  // Add, AddV2, BiasAdd
}

Result<int> translate_binary(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 2, 2));
  if (n.op == "BiasAdd") {
    TB_RETURN_IF_ERROR(check_nhwc(n));
    TB_ASSIGN_OR_RETURN(const Tensor* bias, b.constant_input(n, 1));
    if (bias && bias->rank() != 1)
      return node_error(n, "bias must be 1-D, got " + shape_to_string(bias->shape()));
  }
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int y, b.input(n, 1));
  return b.graph().add_node(OpKind::kBinary, n.name, {x, y}, BinaryParams{binary_op_for(n.op)});
}

Result<int> translate_unary(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 1, 1));
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  UnaryParams p;
  const std::string& op = n.op;
  if (op == "Relu") {
    p.op = UnaryOp::kRelu;
  } else if (op == "Relu6") {
    p = UnaryParams{UnaryOp::kClip, 0.f, 6.f};
  } else if (op == "LeakyRelu") {
    TB_ASSIGN_OR_RETURN(float alpha, TfAttrs(n).f("alpha", 0.2f));
    p = UnaryParams{UnaryOp::kLeakyRelu, alpha, 0.f};
  } else if (op == "Sigmoid") {
    p.op = UnaryOp::kSigmoid;
  } else if (op == "Tanh") {
    p.op = UnaryOp::kTanh;
  } else if (op == "Square") {
    p.op = UnaryOp::kSquare;
  } else if (op == "Sqrt" || op == "Rsqrt") {
    p.op = UnaryOp::kSqrt;
  } else if (op == "Abs") {
    p.op = UnaryOp::kAbs;
  } else if (op == "Neg") {
    p.op = UnaryOp::kNeg;
  } else if (op == "Exp") {
    p.op = UnaryOp::kExp;
  } else if (op == "Log") {
    p.op = UnaryOp::kLog;
  } else if (op == "Floor") {
    p.op = UnaryOp::kFloor;
  } else if (op == "Round") {
    p.op = UnaryOp::kRound;  // half to even, as TF
  } else {
    return internal_error("translate_unary called for " + op);
  }
  if (op != "Rsqrt") return b.graph().add_node(OpKind::kUnary, n.name, {x}, p);
  // Rsqrt = 1 / Sqrt(x): two IR ops.
  const int root = b.graph().add_node(OpKind::kUnary, n.name + "/sqrt", {x}, p);
  const int one = b.graph().add_constant(
      n.name + "/one", Tensor::from_vector<float>(Shape{}, std::vector<float>{1.f}));
  return b.graph().add_node(OpKind::kBinary, n.name, {one, root}, BinaryParams{BinaryOp::kDiv});
}

Result<int> translate_resize(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 2, 2));
  TfAttrs attrs(n);
  TB_ASSIGN_OR_RETURN(bool align_corners, attrs.b("align_corners", false));
  TB_ASSIGN_OR_RETURN(bool half_pixel, attrs.b("half_pixel_centers", false));
  if (align_corners && half_pixel)
    return node_error(n, "align_corners and half_pixel_centers cannot both be true");
  ResizeParams p;
  p.layout = Layout::kNHWC;
  p.coord = align_corners ? ResizeCoord::kAlignCorners
            : half_pixel  ? ResizeCoord::kHalfPixel
                          : ResizeCoord::kAsymmetric;
  if (n.op == "ResizeNearestNeighbor") {
    // TF picks floor(i * scale) (legacy), round(i * scale) (align_corners, ties up) and
    // floor((i + 0.5) * scale) (half_pixel_centers), which is the half-pixel source
    // coordinate rounded with ties up.
    p.mode = ResizeMode::kNearest;
    p.nearest =
        align_corners || half_pixel ? NearestRounding::kRoundPreferCeil : NearestRounding::kFloor;
  } else {
    p.mode = ResizeMode::kBilinear;
  }
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int size, b.input(n, 1));
  return b.graph().add_node(OpKind::kResize, n.name, {x, size}, p);
}

// ---- shape arithmetic ---------------------------------------------------------------

Result<int> translate_shape(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 1, 1));
  TB_ASSIGN_OR_RETURN(DType out_type, TfAttrs(n).type("out_type", DType::kInt32));
  if (out_type != DType::kInt32) return node_unimplemented(n, "out_type other than int32");
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  return b.graph().add_node(OpKind::kShape, n.name, {x}, NoParams{});
}

Result<int> translate_strided_slice(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 4, 4));
  TfAttrs attrs(n);
  StridedSliceParams p;
  const std::pair<const char*, int64_t*> masks[] = {{"begin_mask", &p.begin_mask},
                                                    {"end_mask", &p.end_mask},
                                                    {"ellipsis_mask", &p.ellipsis_mask},
                                                    {"new_axis_mask", &p.new_axis_mask},
                                                    {"shrink_axis_mask", &p.shrink_axis_mask}};
  for (const auto& [key, out] : masks) {
    TB_ASSIGN_OR_RETURN(*out, attrs.i(key, int64_t{0}));
    if (*out < 0 || *out >= (int64_t{1} << 32)) return attrs.error(key, "out of range");
  }
  if (p.ellipsis_mask || p.new_axis_mask)
    return node_unimplemented(n, "ellipsis_mask and new_axis_mask are not supported");
  std::vector<int> inputs;
  for (size_t i = 0; i < 4; ++i) {
    TB_ASSIGN_OR_RETURN(int v, b.input(n, i));
    inputs.push_back(v);
  }
  return b.graph().add_node(OpKind::kStridedSlice, n.name, std::move(inputs), p);
}

Result<int> translate_pack(GraphBuilder& b, const TfNode& n) {
  if (n.inputs.empty()) return node_error(n, "needs at least one input");
  TfAttrs attrs(n);
  TB_ASSIGN_OR_RETURN(int64_t count, attrs.i("N", static_cast<int64_t>(n.inputs.size())));
  if (count != static_cast<int64_t>(n.inputs.size()))
    return node_error(n, "N is " + std::to_string(count) + " but it has " +
                             std::to_string(n.inputs.size()) + " inputs");
  TB_ASSIGN_OR_RETURN(int64_t axis, attrs.i("axis", int64_t{0}));
  if (axis < -9 || axis > 8) return attrs.error("axis", "out of range");
  std::vector<int> inputs;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    TB_ASSIGN_OR_RETURN(int v, b.input(n, i));
    inputs.push_back(v);
  }
  return b.graph().add_node(OpKind::kPack, n.name, std::move(inputs),
                            PackParams{static_cast<int>(axis)});
}

Result<int> translate_fill(GraphBuilder& b, const TfNode& n) {
  TB_RETURN_IF_ERROR(expect_inputs(n, 2, 2));
  TB_ASSIGN_OR_RETURN(int dims, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int value, b.input(n, 1));
  return b.graph().add_node(OpKind::kFill, n.name, {dims, value}, NoParams{});
}

const std::map<std::string, Translator>& translators() {
  static const std::map<std::string, Translator> table = {
      {"Placeholder", translate_placeholder},
      {"Const", translate_const},
      {"Identity", translate_identity},
      {"StopGradient", translate_identity},
      {"Snapshot", translate_identity},
      {"Conv2D", translate_conv},
      {"_FusedConv2D", translate_conv},
      {"DepthwiseConv2dNative", translate_conv},
      {"_FusedDepthwiseConv2dNative", translate_conv},
      {"FusedDepthwiseConv2dNative", translate_conv},
      {"Add", translate_binary},
      {"AddV2", translate_binary},
      {"BiasAdd", translate_binary},
      {"Sub", translate_binary},
      {"Mul", translate_binary},
      {"RealDiv", translate_binary},
      {"Div", translate_binary},
      {"Maximum", translate_binary},
      {"Minimum", translate_binary},
      {"Relu", translate_unary},
      {"Relu6", translate_unary},
      {"LeakyRelu", translate_unary},
      {"Sigmoid", translate_unary},
      {"Tanh", translate_unary},
      {"Square", translate_unary},
      {"Sqrt", translate_unary},
      {"Rsqrt", translate_unary},
      {"Abs", translate_unary},
      {"Neg", translate_unary},
      {"Exp", translate_unary},
      {"Log", translate_unary},
      {"Floor", translate_unary},
      {"Round", translate_unary},
      {"ResizeBilinear", translate_resize},
      {"ResizeNearestNeighbor", translate_resize},
      {"Shape", translate_shape},
      {"StridedSlice", translate_strided_slice},
      {"Pack", translate_pack},
      {"Fill", translate_fill},
  };
  return table;
}

}  // namespace

Result<Tensor> hwio_to_oihw(const Tensor& f) {
  const int64_t KH = f.dim(0), KW = f.dim(1), I = f.dim(2), O = f.dim(3);
  TB_ASSIGN_OR_RETURN(Tensor w, Tensor::create(DType::kFloat32, {O, I, KH, KW}));
  const float* src = f.data<float>();
  float* dst = w.data<float>();
  for (int64_t h = 0; h < KH; ++h)
    for (int64_t x = 0; x < KW; ++x)
      for (int64_t i = 0; i < I; ++i)
        for (int64_t o = 0; o < O; ++o)
          dst[((o * I + i) * KH + h) * KW + x] = src[((h * KW + x) * I + i) * O + o];
  return w;
}

const std::vector<std::string>& supported_ops() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, fn] : translators()) v.push_back(name);
    return v;
  }();
  return names;
}

bool is_supported_op(const std::string& op) { return translators().count(op) != 0; }

GraphBuilder::GraphBuilder(const TfjsModel& model, std::map<std::string, Tensor> weights)
    : model_(model), weights_(std::move(weights)), values_(model.nodes.size(), -1) {
  for (size_t i = 0; i < model.nodes.size(); ++i)
    index_.emplace(model.nodes[i].name, static_cast<int>(i));
}

int GraphBuilder::node_index(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

const Tensor* GraphBuilder::weight(const std::string& name) const {
  auto it = weights_.find(name);
  return it == weights_.end() ? nullptr : &it->second;
}

Result<int> GraphBuilder::input(const TfNode& node, size_t i) {
  if (i >= node.inputs.size()) return node_error(node, "missing input " + std::to_string(i));
  const TfInput& in = node.inputs[i];
  const int src = node_index(in.node);
  if (src < 0) return node_error(node, "input '" + in.node + "' is not a node of the graph");
  if (in.index != 0) {
    return node_error(node, "reads output " + std::to_string(in.index) + " of '" + in.node + "' (" +
                                model_.nodes[src].op + "), which has one output");
  }
  if (values_[src] < 0)
    return internal_error("node '" + node.name + "': input '" + in.node + "' not translated yet");
  return values_[src];
}

Result<const Tensor*> GraphBuilder::constant_input(const TfNode& node, size_t i) {
  if (i >= node.inputs.size()) return node_error(node, "missing input " + std::to_string(i));
  int src = node_index(node.inputs[i].node);
  // Identity chains are bounded by the node count (the graph is acyclic by now).
  for (size_t hops = 0; src >= 0 && hops <= model_.nodes.size(); ++hops) {
    const TfNode& s = model_.nodes[src];
    if (s.op == "Const") return weight(s.name);
    if (s.op != "Identity" || s.inputs.size() != 1) break;
    src = node_index(s.inputs[0].node);
  }
  return static_cast<const Tensor*>(nullptr);
}

Status GraphBuilder::translate(int node_index) {
  const TfNode& n = model_.nodes[node_index];
  auto it = translators().find(n.op);
  if (it == translators().end())
    return unimplemented("unsupported TF.js op " + n.op + " (node '" + n.name + "')");
  TB_ASSIGN_OR_RETURN(values_[node_index], it->second(*this, n));
  return Status::ok();
}

}  // namespace toonbox::tfjs
