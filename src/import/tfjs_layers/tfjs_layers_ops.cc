#include "import/tfjs_layers/tfjs_layers_ops.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "import/tfjs/tfjs_ops.h"

namespace toonbox::tfjs {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::ConcatParams;
using graph::Conv2DParams;
using graph::DepthToSpaceMode;
using graph::DepthToSpaceParams;
using graph::Graph;
using graph::Layout;
using graph::NearestRounding;
using graph::NoParams;
using graph::OpKind;
using graph::PadMode;
using graph::ResizeCoord;
using graph::ResizeMode;
using graph::ResizeParams;
using graph::StridedSliceParams;
using graph::UnaryOp;
using graph::UnaryParams;

namespace {

// Kernel sizes, strides, dilations, filters and upsampling factors beyond these are not
// real models (and would overflow the shape arithmetic before anything else noticed).
constexpr int64_t kMaxKernel = 1 << 10;
constexpr int64_t kMaxStride = 1 << 10;
constexpr int64_t kMaxFilters = 1 << 20;
constexpr int64_t kMaxUpsample = 64;

using Translator = Result<LayerValue> (*)(LayersGraphBuilder&, const KerasLayer&);

Status layer_error(const KerasLayer& l, const std::string& what) {
  return data_loss(layer_label(l) + ": " + what);
}

std::string channels_text(int64_t c) { return c < 0 ? "unknown" : std::to_string(c); }

// "PixelShuffle4x" -> 4 (UpscalerJS registers one such class per scale); 0 otherwise.
int64_t pixel_shuffle_scale(const std::string& class_name) {
  const std::string prefix = "PixelShuffle";
  if (class_name.size() < prefix.size() + 2 || class_name.compare(0, prefix.size(), prefix) != 0 ||
      class_name.back() != 'x')
    return 0;
  const std::string digits =
      class_name.substr(prefix.size(), class_name.size() - prefix.size() - 1);
  if (digits.empty() || digits.size() > 2 || digits[0] == '0' ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return 0;
  return std::stoi(digits);
}

// Keras/TF.js activation names (tfjs-layers activations.ts) the IR has ops for. nullopt:
// 'linear' (nothing to add). Anything else is refused by name.
Result<std::optional<UnaryParams>> activation_params(const KerasLayer& l, const std::string& key) {
  LayerConfig cfg(l);
  TB_ASSIGN_OR_RETURN(std::string name, cfg.str(key, "linear"));
  if (name == "linear") return std::optional<UnaryParams>();
  if (name == "relu") return std::optional<UnaryParams>(UnaryParams{UnaryOp::kRelu, 0.f, 0.f});
  if (name == "relu6") return std::optional<UnaryParams>(UnaryParams{UnaryOp::kClip, 0.f, 6.f});
  if (name == "sigmoid")
    return std::optional<UnaryParams>(UnaryParams{UnaryOp::kSigmoid, 0.f, 0.f});
  if (name == "tanh") return std::optional<UnaryParams>(UnaryParams{UnaryOp::kTanh, 0.f, 0.f});
  if (name == "elu") return std::optional<UnaryParams>(UnaryParams{UnaryOp::kElu, 1.f, 0.f});
  // TF.js: clip(0.2 * x + 0.5, 0, 1).
  if (name == "hard_sigmoid" || name == "hardSigmoid")
    return std::optional<UnaryParams>(UnaryParams{UnaryOp::kHardSigmoid, 0.2f, 0.5f});
  return cfg.unsupported("activation '" + name.substr(0, 64) +
                         "' (supported: linear, relu, relu6, sigmoid, tanh, elu, hard_sigmoid)");
}

LayerValue add_activation(LayersGraphBuilder& b, const KerasLayer& l, LayerValue x,
                          const std::optional<UnaryParams>& act, const std::string& name) {
  if (!act) return x;
  return {b.graph().add_node(OpKind::kUnary, name, {x.value}, *act), x.channels};
}

Status check_channels_last(const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::string format, LayerConfig(l).str("data_format", "channels_last"));
  if (format != "channels_last")
    return LayerConfig(l).unsupported("data_format '" + format.substr(0, 32) +
                                      "' (only channels_last is supported)");
  return Status::ok();
}

Status check_float32(const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::string dtype, LayerConfig(l).str("dtype", "float32"));
  if (dtype != "float32") return LayerConfig(l).unsupported("dtype '" + dtype.substr(0, 32) + "'");
  return Status::ok();
}

// ---- layers -----------------------------------------------------------------------------

Result<LayerValue> translate_input(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_RETURN_IF_ERROR(b.inputs(l, 0, 0).status());
  LayerConfig cfg(l);
  TB_RETURN_IF_ERROR(check_float32(l));
  for (const char* flag : {"sparse", "ragged"}) {
    TB_ASSIGN_OR_RETURN(bool on, cfg.boolean(flag, false));
    if (on) return cfg.unsupported(std::string(flag) + " inputs");
  }
  const char* key = cfg.has("batch_input_shape") ? "batch_input_shape" : "batch_shape";
  TB_ASSIGN_OR_RETURN(Shape shape, cfg.shape(key));
  if (shape.size() != 4)
    return cfg.unsupported(
        "input shape " + shape_to_string(shape) +
        ": only images (rank 4, [batch, height, width, channels]) are supported");
  // One image, as the other importers declare it; Session binds a batch on request.
  if (shape[0] != -1 && shape[0] != 1)
    return cfg.unsupported("a fixed batch of " + std::to_string(shape[0]) +
                           " (expected null or 1)");
  shape[0] = 1;
  return LayerValue{b.graph().add_input(l.name, DType::kFloat32, shape), shape[3]};
}

Result<LayerValue> translate_conv2d(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in, b.inputs(l, 1, 1));
  LayerConfig cfg(l);
  TB_RETURN_IF_ERROR(check_channels_last(l));
  TB_RETURN_IF_ERROR(check_float32(l));
  TB_ASSIGN_OR_RETURN(int64_t filters, cfg.integer("filters", 1, kMaxFilters));
  TB_ASSIGN_OR_RETURN(auto kernel, cfg.pair("kernel_size", 1, kMaxKernel));
  TB_ASSIGN_OR_RETURN(auto strides, cfg.pair("strides", 1, kMaxStride, std::make_pair(1, 1)));
  TB_ASSIGN_OR_RETURN(auto dilation,
                      cfg.pair("dilation_rate", 1, kMaxStride, std::make_pair(1, 1)));
  TB_ASSIGN_OR_RETURN(int64_t groups, cfg.integer("groups", 1, kMaxFilters, 1));
  TB_ASSIGN_OR_RETURN(bool use_bias, cfg.boolean("use_bias", true));
  TB_ASSIGN_OR_RETURN(std::string padding, cfg.str("padding", "valid"));
  TB_ASSIGN_OR_RETURN(auto act, activation_params(l, "activation"));
  Conv2DParams p;
  p.layout = Layout::kNHWC;
  if (padding == "same") {
    p.pad_mode = PadMode::kSameUpper;  // TF's SAME: the odd pad at the end
  } else if (padding == "valid") {
    p.pad_mode = PadMode::kValid;
  } else {
    return cfg.unsupported("padding '" + padding.substr(0, 32) + "' (supported: same, valid)");
  }
  p.stride_h = static_cast<int>(strides.first);
  p.stride_w = static_cast<int>(strides.second);
  p.dilation_h = static_cast<int>(dilation.first);
  p.dilation_w = static_cast<int>(dilation.second);
  p.groups = static_cast<int>(groups);
  if (filters % groups != 0)
    return cfg.error("groups", "got " + std::to_string(groups) + ", which does not divide " +
                                   std::to_string(filters) + " filters");
  const int64_t cin = in[0].channels;
  if (cin >= 0 && cin % groups != 0)
    return layer_error(l, "got " + std::to_string(cin) +
                              " input channels, expected a multiple of " + std::to_string(groups) +
                              " groups");
  const Shape expected = {kernel.first, kernel.second, cin < 0 ? -1 : cin / groups, filters};
  TB_ASSIGN_OR_RETURN(const Tensor* kernel_w, b.weight(l, "kernel", expected));
  TB_ASSIGN_OR_RETURN(Tensor oihw, hwio_to_oihw(*kernel_w));
  std::vector<int> inputs = {in[0].value,
                             b.graph().add_constant(l.name + "/kernel", std::move(oihw))};
  if (use_bias) {
    TB_ASSIGN_OR_RETURN(const Tensor* bias, b.weight(l, "bias", Shape{filters}));
    inputs.push_back(b.graph().add_constant(l.name + "/bias", *bias));
  }
  // The activation is its own node; fuse_conv_activation folds it into the epilogue.
  const std::string conv_name = act ? l.name + "/conv" : l.name;
  LayerValue out{b.graph().add_node(OpKind::kConv2D, conv_name, std::move(inputs), p), filters};
  return add_activation(b, l, out, act, l.name);
}

Result<LayerValue> translate_activation(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in, b.inputs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(auto act, activation_params(l, "activation"));
  if (!act)
    return LayerValue{b.graph().add_node(OpKind::kIdentity, l.name, {in[0].value}, NoParams{}),
                      in[0].channels};
  return add_activation(b, l, in[0], act, l.name);
}

Result<LayerValue> translate_leaky_relu(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in, b.inputs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(double alpha, LayerConfig(l).number("alpha", 0.3));  // TF.js's default
  return add_activation(b, l, in[0],
                        UnaryParams{UnaryOp::kLeakyRelu, static_cast<float>(alpha), 0.f}, l.name);
}

// TF.js's Add sums its inputs left to right; so does the chain, for the same rounding.
Result<LayerValue> translate_add(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in,
                      b.inputs(l, 2, static_cast<size_t>(kMaxLayerInputs)));
  for (const LayerValue& v : in) {
    if (v.channels >= 0 && in[0].channels >= 0 && v.channels != in[0].channels)
      return layer_error(l, "got inputs with " + std::to_string(in[0].channels) + " and " +
                                std::to_string(v.channels) + " channels, expected the same");
  }
  int acc = in[0].value;
  for (size_t i = 1; i < in.size(); ++i) {
    const std::string name = i + 1 == in.size() ? l.name : l.name + "/" + std::to_string(i);
    acc =
        b.graph().add_node(OpKind::kBinary, name, {acc, in[i].value}, BinaryParams{BinaryOp::kAdd});
  }
  return LayerValue{acc, in[0].channels};
}

Result<LayerValue> translate_concatenate(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in,
                      b.inputs(l, 1, static_cast<size_t>(kMaxLayerInputs)));
  TB_ASSIGN_OR_RETURN(int64_t axis, LayerConfig(l).integer("axis", -4, 3, -1));
  if (axis != -1 && axis != 3)
    return LayerConfig(l).unsupported("concatenation along axis " + std::to_string(axis) +
                                      " (only the channel axis, -1 or 3, is supported)");
  int64_t channels = 0;
  std::vector<int> values;
  for (const LayerValue& v : in) {
    channels = channels < 0 || v.channels < 0 ? -1 : channels + v.channels;
    values.push_back(v.value);
  }
  return LayerValue{b.graph().add_node(OpKind::kConcat, l.name, std::move(values), ConcatParams{3}),
                    channels};
}

// UpscalerJS's RRDN residual scaling: tf.mul(x, beta). Its class ignores the config and
// uses 0.2; the files record 0.2 as `beta`, which is what is read (and 0.2 without one).
Result<LayerValue> translate_multiply_beta(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in, b.inputs(l, 1, 1));
  TB_ASSIGN_OR_RETURN(double beta, LayerConfig(l).number("beta", 0.2));
  const int k = b.graph().add_constant(
      l.name + "/beta",
      Tensor::from_vector<float>(Shape{}, std::vector<float>{static_cast<float>(beta)}));
  return LayerValue{
      b.graph().add_node(OpKind::kBinary, l.name, {in[0].value, k}, BinaryParams{BinaryOp::kMul}),
      in[0].channels};
}

// UpscalerJS's PixelShuffle<N>x: tf.depthToSpace(x, N, 'NHWC'), TensorFlow's (DCR) order.
// The scale is the class's; a config `scale` must agree with it.
Result<LayerValue> translate_pixel_shuffle(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in, b.inputs(l, 1, 1));
  const int64_t block = pixel_shuffle_scale(l.class_name);
  if (block < 1 || block > kMaxUpsample) return layer_error(l, "scale out of range");
  LayerConfig cfg(l);
  TB_ASSIGN_OR_RETURN(int64_t scale, cfg.integer("scale", 1, kMaxUpsample, block));
  if (scale != block)
    return cfg.error("scale", "got " + std::to_string(scale) + ", expected " +
                                  std::to_string(block) + " (the class name's)");
  const int64_t c = in[0].channels;
  if (c >= 0 && c % (block * block) != 0)
    return layer_error(l, "got " + std::to_string(c) + " input channels, expected a multiple of " +
                              std::to_string(block * block) + " (scale " + std::to_string(block) +
                              " squared)");
  DepthToSpaceParams p{Layout::kNHWC, static_cast<int>(block), DepthToSpaceMode::kDcr};
  return LayerValue{b.graph().add_node(OpKind::kDepthToSpace, l.name, {in[0].value}, p),
                    c < 0 ? -1 : c / (block * block)};
}

// TF.js's UpSampling2D: resizeNearestNeighbor / resizeBilinear to [h * sh, w * sw] with
// the default (asymmetric) coordinates. The size comes from the input's shape, as shape
// ops that specialize() folds.
Result<LayerValue> translate_upsampling2d(LayersGraphBuilder& b, const KerasLayer& l) {
  TB_ASSIGN_OR_RETURN(std::vector<LayerValue> in, b.inputs(l, 1, 1));
  LayerConfig cfg(l);
  TB_RETURN_IF_ERROR(check_channels_last(l));
  TB_ASSIGN_OR_RETURN(auto size, cfg.pair("size", 1, kMaxUpsample, std::make_pair(2, 2)));
  TB_ASSIGN_OR_RETURN(std::string interpolation, cfg.str("interpolation", "nearest"));
  ResizeParams p;
  p.layout = Layout::kNHWC;
  p.coord = ResizeCoord::kAsymmetric;
  if (interpolation == "nearest") {
    p.mode = ResizeMode::kNearest;
    p.nearest = NearestRounding::kFloor;
  } else if (interpolation == "bilinear") {
    p.mode = ResizeMode::kBilinear;
  } else {
    return cfg.unsupported("interpolation '" + interpolation.substr(0, 32) +
                           "' (supported: nearest, bilinear)");
  }
  Graph& g = b.graph();
  auto ints = [&](const std::string& name, std::vector<int32_t> v) {
    const int64_t n = static_cast<int64_t>(v.size());
    return g.add_constant(l.name + "/" + name,
                          Tensor::from_vector<int32_t>(Shape{n}, std::move(v)));
  };
  const int shape = g.add_node(OpKind::kShape, l.name + "/shape", {in[0].value}, NoParams{});
  const int hw = g.add_node(OpKind::kStridedSlice, l.name + "/hw",
                            {shape, ints("begin", {1}), ints("end", {3}), ints("strides", {1})},
                            StridedSliceParams{});
  const int factors =
      ints("size", {static_cast<int32_t>(size.first), static_cast<int32_t>(size.second)});
  const int out_size = g.add_node(OpKind::kBinary, l.name + "/out_size", {hw, factors},
                                  BinaryParams{BinaryOp::kMul});
  return LayerValue{g.add_node(OpKind::kResize, l.name, {in[0].value, out_size}, p),
                    in[0].channels};
}

const std::map<std::string, Translator>& translators() {
  static const std::map<std::string, Translator> table = {
      {"InputLayer", translate_input},
      {"Conv2D", translate_conv2d},
      {"Activation", translate_activation},
      {"LeakyReLU", translate_leaky_relu},
      {"Add", translate_add},
      {"Concatenate", translate_concatenate},
      {"MultiplyBeta", translate_multiply_beta},
      {"UpSampling2D", translate_upsampling2d},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& supported_layer_classes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, fn] : translators()) v.push_back(name);
    v.push_back("PixelShuffle<N>x");
    std::sort(v.begin(), v.end());
    return v;
  }();
  return names;
}

bool is_supported_layer_class(const std::string& class_name) {
  return translators().count(class_name) != 0 || pixel_shuffle_scale(class_name) > 0;
}

Status LayersGraphBuilder::translate(const KerasLayer& layer) {
  Translator fn = nullptr;
  if (auto it = translators().find(layer.class_name); it != translators().end()) {
    fn = it->second;
  } else if (pixel_shuffle_scale(layer.class_name) > 0) {
    fn = translate_pixel_shuffle;
  } else {
    return unimplemented("unsupported TF.js layer class " + layer.class_name + " (" +
                         layer_label(layer) + ")");
  }
  TB_ASSIGN_OR_RETURN(LayerValue v, fn(*this, layer));
  outputs_[layer.name] = v;
  return Status::ok();
}

Result<LayerValue> LayersGraphBuilder::output_of(const LayerRef& ref,
                                                 const std::string& reader) const {
  auto it = outputs_.find(ref.layer);
  if (it == outputs_.end())
    return internal_error(reader + ": layer '" + ref.layer + "' not translated yet");
  if (ref.node_index != 0 || ref.tensor_index != 0) {
    return data_loss(reader + ": reads [" + std::to_string(ref.node_index) + ", " +
                     std::to_string(ref.tensor_index) + "] of layer '" + ref.layer +
                     "', expected [0, 0] (each layer is called once and has one output)");
  }
  return it->second;
}

Result<std::vector<LayerValue>> LayersGraphBuilder::inputs(const KerasLayer& layer, size_t min,
                                                           size_t max) const {
  if (layer.inputs.size() < min || layer.inputs.size() > max) {
    return layer_error(layer, "got " + std::to_string(layer.inputs.size()) + " inputs, expected " +
                                  (min == max ? std::to_string(min)
                                              : std::to_string(min) + ".." + std::to_string(max)));
  }
  std::vector<LayerValue> out;
  for (const LayerRef& r : layer.inputs) {
    TB_ASSIGN_OR_RETURN(LayerValue v, output_of(r, layer_label(layer)));
    out.push_back(v);
  }
  return out;
}

Result<const Tensor*> LayersGraphBuilder::weight(const KerasLayer& layer, const std::string& suffix,
                                                 const Shape& expected) {
  const std::string name = layer.name + "/" + suffix;
  auto it = weights_.find(name);
  if (it == weights_.end())
    return layer_error(layer, "no weight '" + name + "' in weightsManifest");
  const Tensor& t = it->second;
  bool fits = t.dtype() == DType::kFloat32 && t.rank() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; fits && i < expected.size(); ++i)
    fits = expected[i] < 0 || t.dim(i) == expected[i];
  if (!fits) {
    return layer_error(layer, "weight '" + name + "': got " + dtype_name(t.dtype()) + " " +
                                  shape_to_string(t.shape()) + ", expected float32 " +
                                  shape_to_string(expected) + " (?: any)");
  }
  used_.insert(name);
  return &t;
}

Status LayersGraphBuilder::check_all_weights_used() const {
  std::vector<std::string> unused;
  for (const auto& [name, t] : weights_)
    if (!used_.count(name)) unused.push_back(name);
  if (unused.empty()) return Status::ok();
  std::string list;
  for (size_t i = 0; i < unused.size() && i < 3; ++i) list += (i ? ", '" : "'") + unused[i] + "'";
  if (unused.size() > 3) list += " and " + std::to_string(unused.size() - 3) + " more";
  return data_loss("weightsManifest has " + std::to_string(unused.size()) +
                   " weight(s) no layer uses: " + list +
                   " (is this the manifest of another model?)");
}

}  // namespace toonbox::tfjs
