#include "import/onnx/onnx_ops.h"

#include <cmath>
#include <limits>

#include "import/onnx/onnx_loader.h"

namespace toonbox::onnx_import {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::CastParams;
using graph::ConcatParams;
using graph::GatherParams;
using graph::NoParams;
using graph::OpKind;
using graph::OpParams;
using graph::ReduceOp;
using graph::ReduceParams;
using graph::ReshapeMode;
using graph::ReshapeParams;
using graph::SliceParams;
using graph::TransposeParams;
using graph::UnaryOp;
using graph::UnaryParams;
using graph::Value;

// ---- Attrs ----

Attrs::Attrs(const onnx::NodeProto& node) : node_(node) {
  for (const auto& a : node.attribute()) by_name_[a.name()] = &a;
}

Status Attrs::error(const std::string& name, const std::string& what) const {
  return invalid_argument("node '" + OnnxBuilder::node_name(node_) + "' (" + node_.op_type() +
                          "): attribute '" + name + "' " + what);
}

Result<const onnx::AttributeProto*> Attrs::get(const std::string& name, int type) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return static_cast<const onnx::AttributeProto*>(nullptr);
  const onnx::AttributeProto* a = it->second;
  // Old exporters leave `type` unset; accept when the matching field is filled.
  if (a->type() != 0 && a->type() != type) return error(name, "has the wrong type");
  return a;
}

Result<int64_t> Attrs::i(const std::string& name, std::optional<int64_t> def) const {
  TB_ASSIGN_OR_RETURN(const onnx::AttributeProto* a, get(name, onnx::AttributeProto::INT));
  if (!a) {
    if (def) return *def;
    return error(name, "is required");
  }
  return a->i();
}

Result<float> Attrs::f(const std::string& name, std::optional<float> def) const {
  TB_ASSIGN_OR_RETURN(const onnx::AttributeProto* a, get(name, onnx::AttributeProto::FLOAT));
  if (!a) {
    if (def) return *def;
    return error(name, "is required");
  }
  return a->f();
}

Result<std::string> Attrs::s(const std::string& name, std::optional<std::string> def) const {
  TB_ASSIGN_OR_RETURN(const onnx::AttributeProto* a, get(name, onnx::AttributeProto::STRING));
  if (!a) {
    if (def) return *def;
    return error(name, "is required");
  }
  return a->s();
}

Result<std::vector<int64_t>> Attrs::ints(const std::string& name,
                                         std::optional<std::vector<int64_t>> def) const {
  TB_ASSIGN_OR_RETURN(const onnx::AttributeProto* a, get(name, onnx::AttributeProto::INTS));
  if (!a) {
    if (def) return *def;
    return error(name, "is required");
  }
  if (a->ints_size() > 4096) return error(name, "is too long");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

Result<std::vector<float>> Attrs::floats(const std::string& name,
                                         std::optional<std::vector<float>> def) const {
  TB_ASSIGN_OR_RETURN(const onnx::AttributeProto* a, get(name, onnx::AttributeProto::FLOATS));
  if (!a) {
    if (def) return *def;
    return error(name, "is required");
  }
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto* Attrs::tensor(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end() || !it->second->has_t()) return nullptr;
  return &it->second->t();
}

// ---- OnnxBuilder ----

std::string OnnxBuilder::node_name(const onnx::NodeProto& n) {
  if (!n.name().empty()) return n.name();
  return n.output_size() > 0 ? n.output(0) : n.op_type();
}

Status OnnxBuilder::error(const onnx::NodeProto& n, const std::string& what) const {
  return invalid_argument("node '" + node_name(n) + "' (" + n.op_type() + "): " + what);
}

Result<int> OnnxBuilder::lookup(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return data_loss("unknown tensor '" + name + "'");
  return it->second;
}

Result<int> OnnxBuilder::input(const onnx::NodeProto& n, size_t i) const {
  if (!has_input(n, i)) return error(n, "input " + std::to_string(i) + " is missing");
  auto it = values_.find(n.input(i));
  if (it == values_.end()) return error(n, "reads unknown tensor '" + n.input(i) + "'");
  return it->second;
}

Result<const Tensor*> OnnxBuilder::constant_input(const onnx::NodeProto& n, size_t i) const {
  TB_ASSIGN_OR_RETURN(int v, input(n, i));
  const Value& val = graph_.value(v);
  if (!val.constant)
    return unimplemented("node '" + node_name(n) + "' (" + n.op_type() + "): input " +
                         std::to_string(i) + " ('" + n.input(i) +
                         "') must be a constant (initializer or Constant node)");
  return &*val.constant;
}

Result<std::vector<int64_t>> OnnxBuilder::constant_ints(const onnx::NodeProto& n, size_t i) const {
  TB_ASSIGN_OR_RETURN(const Tensor* t, constant_input(n, i));
  std::vector<int64_t> v(t->numel());
  for (int64_t k = 0; k < t->numel(); ++k) {
    if (t->dtype() == DType::kInt64)
      v[k] = t->data<int64_t>()[k];
    else if (t->dtype() == DType::kInt32)
      v[k] = t->data<int32_t>()[k];
    else
      return error(n, "input " + std::to_string(i) + " must be an int tensor");
  }
  return v;
}

Result<float> OnnxBuilder::constant_scalar(const onnx::NodeProto& n, size_t i) const {
  TB_ASSIGN_OR_RETURN(const Tensor* t, constant_input(n, i));
  if (t->numel() != 1) return error(n, "input " + std::to_string(i) + " must be a scalar");
  switch (t->dtype()) {
    case DType::kFloat32:
      return t->data<float>()[0];
    case DType::kInt32:
      return static_cast<float>(t->data<int32_t>()[0]);
    case DType::kInt64:
      return static_cast<float>(t->data<int64_t>()[0]);
    default:
      return error(n, "input " + std::to_string(i) + " has an unsupported type");
  }
}

Result<Tensor> OnnxBuilder::decode(const onnx::TensorProto& t) {
  return decode_tensor(t, dir_, &budget_);
}

int OnnxBuilder::add(OpKind kind, const onnx::NodeProto& n, const std::string& suffix,
                     std::vector<int> inputs, OpParams params) {
  return graph_.add_node(kind, node_name(n) + suffix, std::move(inputs), std::move(params));
}

Status OnnxBuilder::bind_output(const onnx::NodeProto& n, int value) {
  if (n.output_size() < 1 || n.output(0).empty()) return error(n, "has no output");
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty())
      return unimplemented("node '" + node_name(n) + "' (" + n.op_type() + "): output " +
                           std::to_string(k) + " ('" + n.output(k) + "') is not supported");
  values_[n.output(0)] = value;
  return Status::ok();
}

int OnnxBuilder::constant_i64(const std::vector<int64_t>& v, const std::string& name) {
  return graph_.add_constant(name + "#" + std::to_string(counter_++),
                             Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
}
int OnnxBuilder::constant_i32(const std::vector<int32_t>& v, const std::string& name) {
  return graph_.add_constant(name + "#" + std::to_string(counter_++),
                             Tensor::from_vector<int32_t>({static_cast<int64_t>(v.size())}, v));
}
int OnnxBuilder::constant_f32(float v, const std::string& name) {
  return graph_.add_constant(name + "#" + std::to_string(counter_++),
                             Tensor::from_vector<float>({}, {v}));
}

int OnnxBuilder::dim_of(const onnx::NodeProto& n, int x, int index, const std::string& suffix) {
  const int shape = add(OpKind::kShape, n, suffix + "/shape", {x}, NoParams{});
  return add(OpKind::kGather, n, suffix + "/dim", {shape, constant_i32({index}, node_name(n))},
             GatherParams{0});
}

namespace {

#define TRY(x) TB_RETURN_IF_ERROR(x)

Status unary(OnnxBuilder& b, const onnx::NodeProto& n, UnaryOp op, float alpha = 0,
             float beta = 0) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  return b.bind_output(n, b.add(OpKind::kUnary, n, "", {x}, UnaryParams{op, alpha, beta}));
}

template <UnaryOp kOp>
Status simple_unary(OnnxBuilder& b, const onnx::NodeProto& n) {
  return unary(b, n, kOp);
}

template <BinaryOp kOp>
Status binary(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int y, b.input(n, 1));
  return b.bind_output(n, b.add(OpKind::kBinary, n, "", {x, y}, BinaryParams{kOp}));
}

Status leaky_relu(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(float alpha, Attrs(n).f("alpha", 0.01f));
  return unary(b, n, UnaryOp::kLeakyRelu, alpha);
}
Status elu(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(float alpha, Attrs(n).f("alpha", 1.0f));
  return unary(b, n, UnaryOp::kElu, alpha);
}
Status hard_sigmoid(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(float alpha, Attrs(n).f("alpha", 0.2f));
  TB_ASSIGN_OR_RETURN(float beta, Attrs(n).f("beta", 0.5f));
  return unary(b, n, UnaryOp::kHardSigmoid, alpha, beta);
}
Status hard_swish(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  const int hs = b.add(OpKind::kUnary, n, "/hard_sigmoid", {x},
                       UnaryParams{UnaryOp::kHardSigmoid, 1.f / 6.f, 0.5f});
  return b.bind_output(n, b.add(OpKind::kBinary, n, "", {x, hs}, BinaryParams{BinaryOp::kMul}));
}
Status gelu(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(std::string approx, Attrs(n).s("approximate", "none"));
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  const std::string nm = OnnxBuilder::node_name(n);
  auto bin = [&](BinaryOp op, int l, int r, const char* s) {
    return b.add(OpKind::kBinary, n, s, {l, r}, BinaryParams{op});
  };
  int inner;
  if (approx == "tanh") {  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const int x3 = bin(BinaryOp::kMul, bin(BinaryOp::kMul, x, x, "/x2"), x, "/x3");
    const int t =
        bin(BinaryOp::kAdd, x, bin(BinaryOp::kMul, x3, b.constant_f32(0.044715f, nm), "/c"), "/s");
    const int arg = bin(BinaryOp::kMul, t, b.constant_f32(0.7978845608028654f, nm), "/arg");
    inner = b.add(OpKind::kUnary, n, "/tanh", {arg}, UnaryParams{UnaryOp::kTanh});
  } else if (approx == "none") {  // 0.5 x (1 + erf(x / sqrt 2))
    const int arg = bin(BinaryOp::kMul, x, b.constant_f32(0.7071067811865476f, nm), "/arg");
    inner = b.add(OpKind::kUnary, n, "/erf", {arg}, UnaryParams{UnaryOp::kErf});
  } else {
    return b.error(n, "approximate '" + approx + "' is not supported");
  }
  const int onep = bin(BinaryOp::kAdd, inner, b.constant_f32(1.f, nm), "/1p");
  const int half = bin(BinaryOp::kMul, x, b.constant_f32(0.5f, nm), "/half");
  return b.bind_output(n, bin(BinaryOp::kMul, half, onep, ""));
}

Status clip(OnnxBuilder& b, const onnx::NodeProto& n) {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (b.opset() < 11) {
    TB_ASSIGN_OR_RETURN(lo, Attrs(n).f("min", lo));
    TB_ASSIGN_OR_RETURN(hi, Attrs(n).f("max", hi));
  } else {
    if (b.has_input(n, 1)) {
      TB_ASSIGN_OR_RETURN(lo, b.constant_scalar(n, 1));
    }
    if (b.has_input(n, 2)) {
      TB_ASSIGN_OR_RETURN(hi, b.constant_scalar(n, 2));
    }
  }
  return unary(b, n, UnaryOp::kClip, lo, hi);
}

Status reciprocal(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  const int one = b.constant_f32(1.f, OnnxBuilder::node_name(n));
  return b.bind_output(n, b.add(OpKind::kBinary, n, "", {one, x}, BinaryParams{BinaryOp::kDiv}));
}

Status prelu(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int slope, b.input(n, 1));
  return b.bind_output(n, b.add(OpKind::kPRelu, n, "", {x, slope}, NoParams{}));
}

Status identity(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  return b.bind_output(n, b.add(OpKind::kIdentity, n, "", {x}, NoParams{}));
}

Status constant(OnnxBuilder& b, const onnx::NodeProto& n) {
  Attrs a(n);
  Tensor t;
  if (const onnx::TensorProto* tp = a.tensor("value")) {
    TB_ASSIGN_OR_RETURN(t, b.decode(*tp));
  } else if (a.has("value_float")) {
    TB_ASSIGN_OR_RETURN(float v, a.f("value_float"));
    t = Tensor::from_vector<float>({}, {v});
  } else if (a.has("value_int")) {
    TB_ASSIGN_OR_RETURN(int64_t v, a.i("value_int"));
    t = Tensor::from_vector<int64_t>({}, {v});
  } else if (a.has("value_floats")) {
    TB_ASSIGN_OR_RETURN(auto v, a.floats("value_floats"));
    t = Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
  } else if (a.has("value_ints")) {
    TB_ASSIGN_OR_RETURN(auto v, a.ints("value_ints"));
    t = Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  } else {
    return unimplemented("node '" + OnnxBuilder::node_name(n) +
                         "' (Constant): only tensor, float(s) and int(s) values are supported");
  }
  return b.bind_output(n, b.graph().add_constant(n.output_size() ? n.output(0) : "const", t));
}

Status constant_of_shape(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int shape, b.input(n, 0));
  Tensor v = Tensor::from_vector<float>({}, {0.f});
  if (const onnx::TensorProto* tp = Attrs(n).tensor("value")) {
    TB_ASSIGN_OR_RETURN(v, b.decode(*tp));
    if (v.numel() != 1) return b.error(n, "value must hold one element");
    v = v.reshaped({});
  }
  const int value = b.graph().add_constant(OnnxBuilder::node_name(n) + "/value", v);
  return b.bind_output(n, b.add(OpKind::kFill, n, "", {shape, value}, NoParams{}));
}

Status shape(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  int s = b.add(OpKind::kShape, n, "/int32", {x}, NoParams{});
  s = b.add(OpKind::kCast, n, "", {s}, CastParams{DType::kInt64});
  Attrs a(n);
  if (a.has("start") || a.has("end")) {  // opset 15
    TB_ASSIGN_OR_RETURN(int64_t start, a.i("start", 0));
    TB_ASSIGN_OR_RETURN(int64_t end, a.i("end", std::numeric_limits<int64_t>::max()));
    const std::string nm = OnnxBuilder::node_name(n);
    s = b.add(OpKind::kSlice, n, "/range",
              {s, b.constant_i64({start}, nm), b.constant_i64({end}, nm)}, SliceParams{});
  }
  return b.bind_output(n, s);
}

Status cast(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int64_t to, Attrs(n).i("to"));
  TB_ASSIGN_OR_RETURN(DType dt, dtype_from_onnx(static_cast<int32_t>(to),
                                                "Cast '" + OnnxBuilder::node_name(n) + "'"));
  return b.bind_output(n, b.add(OpKind::kCast, n, "", {x}, CastParams{dt}));
}

Status reshape(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int s, b.input(n, 1));
  ReshapeParams p;
  TB_ASSIGN_OR_RETURN(int64_t allowzero, Attrs(n).i("allowzero", 0));
  p.allowzero = allowzero != 0;
  return b.bind_output(n, b.add(OpKind::kReshape, n, "", {x, s}, p));
}

Status flatten(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  ReshapeParams p;
  p.mode = ReshapeMode::kFlatten;
  TB_ASSIGN_OR_RETURN(p.axis, Attrs(n).i("axis", 1));
  return b.bind_output(n, b.add(OpKind::kReshape, n, "", {x}, p));
}

// Squeeze/Unsqueeze: axes from the attribute (opset < 13) or a constant input.
Status squeeze_like(OnnxBuilder& b, const onnx::NodeProto& n, ReshapeMode mode) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  ReshapeParams p;
  p.mode = mode;
  if (b.opset() < 13) {
    TB_ASSIGN_OR_RETURN(p.axes, Attrs(n).ints("axes", std::vector<int64_t>{}));
  } else if (b.has_input(n, 1)) {
    TB_ASSIGN_OR_RETURN(p.axes, b.constant_ints(n, 1));
  }
  if (mode == ReshapeMode::kUnsqueeze && p.axes.empty()) return b.error(n, "axes are required");
  return b.bind_output(n, b.add(OpKind::kReshape, n, "", {x}, p));
}
Status squeeze(OnnxBuilder& b, const onnx::NodeProto& n) {
  return squeeze_like(b, n, ReshapeMode::kSqueeze);
}
Status unsqueeze(OnnxBuilder& b, const onnx::NodeProto& n) {
  return squeeze_like(b, n, ReshapeMode::kUnsqueeze);
}

Status transpose(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TransposeParams p;
  TB_ASSIGN_OR_RETURN(p.perm, Attrs(n).ints("perm", std::vector<int64_t>{}));
  return b.bind_output(n, b.add(OpKind::kTranspose, n, "", {x}, p));
}

Status concat(OnnxBuilder& b, const onnx::NodeProto& n) {
  std::vector<int> ins;
  for (int i = 0; i < n.input_size(); ++i) {
    if (n.input(i).empty()) continue;
    TB_ASSIGN_OR_RETURN(int v, b.input(n, i));
    ins.push_back(v);
  }
  TB_ASSIGN_OR_RETURN(int64_t axis, Attrs(n).i("axis"));
  return b.bind_output(n, b.add(OpKind::kConcat, n, "", ins, ConcatParams{static_cast<int>(axis)}));
}

Status split(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  TB_ASSIGN_OR_RETURN(int64_t axis, a.i("axis", 0));
  std::vector<int64_t> sizes;
  if (b.opset() < 13) {
    TB_ASSIGN_OR_RETURN(sizes, a.ints("split", std::vector<int64_t>{}));
  } else if (b.has_input(n, 1)) {
    TB_ASSIGN_OR_RETURN(sizes, b.constant_ints(n, 1));
  }
  const std::string nm = OnnxBuilder::node_name(n);
  const int outputs = n.output_size();
  if (outputs < 1) return b.error(n, "has no outputs");
  if (!sizes.empty() && static_cast<int>(sizes.size()) != outputs)
    return b.error(n, "split has " + std::to_string(sizes.size()) + " sizes for " +
                          std::to_string(outputs) + " outputs");
  const int axes = b.constant_i64({axis}, nm);
  int64_t begin = 0;
  for (int k = 0; k < outputs; ++k) {
    int starts, ends;
    if (!sizes.empty()) {
      starts = b.constant_i64({begin}, nm);
      begin += sizes[k];
      ends = b.constant_i64({begin}, nm);
    } else {
      // Equal parts of a dim known only at specialization: chunk = ceil(dim / outputs).
      const int dim = b.dim_of(n, x, static_cast<int>(axis), "/" + std::to_string(k));
      const int dim64 =
          b.add(OpKind::kCast, n, "/dim64_" + std::to_string(k), {dim}, CastParams{DType::kInt64});
      const int sum =
          b.add(OpKind::kBinary, n, "/round_" + std::to_string(k),
                {dim64, b.constant_i64({outputs - 1}, nm)}, BinaryParams{BinaryOp::kAdd});
      const int chunk = b.add(OpKind::kBinary, n, "/chunk_" + std::to_string(k),
                              {sum, b.constant_i64({outputs}, nm)}, BinaryParams{BinaryOp::kDiv});
      starts = b.add(OpKind::kBinary, n, "/start_" + std::to_string(k),
                     {chunk, b.constant_i64({k}, nm)}, BinaryParams{BinaryOp::kMul});
      ends = b.add(OpKind::kBinary, n, "/end_" + std::to_string(k),
                   {chunk, b.constant_i64({k + 1}, nm)}, BinaryParams{BinaryOp::kMul});
    }
    const int y =
        b.add(OpKind::kSlice, n, "/" + std::to_string(k), {x, starts, ends, axes}, SliceParams{});
    if (!n.output(k).empty()) b.bind(n.output(k), y);
  }
  return Status::ok();
}

Status slice(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  const std::string nm = OnnxBuilder::node_name(n);
  std::vector<int> ins = {x};
  if (b.opset() < 10) {
    Attrs a(n);
    TB_ASSIGN_OR_RETURN(auto starts, a.ints("starts"));
    TB_ASSIGN_OR_RETURN(auto ends, a.ints("ends"));
    TB_ASSIGN_OR_RETURN(auto axes, a.ints("axes", std::vector<int64_t>{}));
    ins.push_back(b.constant_i64(starts, nm));
    ins.push_back(b.constant_i64(ends, nm));
    if (!axes.empty()) ins.push_back(b.constant_i64(axes, nm));
  } else {
    for (int i = 1; i < 5 && i < n.input_size(); ++i) {
      if (n.input(i).empty()) {
        if (i == 3 && b.has_input(n, 4)) return b.error(n, "steps without axes is not supported");
        break;
      }
      TB_ASSIGN_OR_RETURN(int v, b.input(n, i));
      ins.push_back(v);
    }
  }
  return b.bind_output(n, b.add(OpKind::kSlice, n, "", ins, SliceParams{}));
}

Status gather(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int idx, b.input(n, 1));
  TB_ASSIGN_OR_RETURN(int64_t axis, Attrs(n).i("axis", 0));
  return b.bind_output(
      n, b.add(OpKind::kGather, n, "", {x, idx}, GatherParams{static_cast<int>(axis)}));
}

Status expand(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int s, b.input(n, 1));
  return b.bind_output(n, b.add(OpKind::kExpand, n, "", {x, s}, NoParams{}));
}

Status tile(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int r, b.input(n, 1));
  return b.bind_output(n, b.add(OpKind::kTile, n, "", {x, r}, NoParams{}));
}

Status where(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int c, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 1));
  TB_ASSIGN_OR_RETURN(int y, b.input(n, 2));
  return b.bind_output(n, b.add(OpKind::kWhere, n, "", {c, x, y}, NoParams{}));
}

Status range(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int s, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int l, b.input(n, 1));
  TB_ASSIGN_OR_RETURN(int d, b.input(n, 2));
  return b.bind_output(n, b.add(OpKind::kRange, n, "", {s, l, d}, NoParams{}));
}

Status reduce(OnnxBuilder& b, const onnx::NodeProto& n, ReduceOp op) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  Attrs a(n);
  ReduceParams p;
  p.op = op;
  TB_ASSIGN_OR_RETURN(int64_t keep, a.i("keepdims", 1));
  p.keepdims = keep != 0;
  // Axes moved from attribute to input: ReduceSum at opset 13, the others at 18.
  const bool axes_input = b.opset() >= (op == ReduceOp::kSum ? 13 : 18);
  if (!axes_input) {
    TB_ASSIGN_OR_RETURN(p.axes, a.ints("axes", std::vector<int64_t>{}));
  } else if (b.has_input(n, 1)) {
    TB_ASSIGN_OR_RETURN(p.axes, b.constant_ints(n, 1));
  }
  TB_ASSIGN_OR_RETURN(int64_t noop, a.i("noop_with_empty_axes", 0));
  if (p.axes.empty() && noop)
    return b.bind_output(n, b.add(OpKind::kIdentity, n, "", {x}, NoParams{}));
  return b.bind_output(n, b.add(OpKind::kReduce, n, "", {x}, p));
}
Status reduce_mean(OnnxBuilder& b, const onnx::NodeProto& n) {
  return reduce(b, n, ReduceOp::kMean);
}
Status reduce_sum(OnnxBuilder& b, const onnx::NodeProto& n) { return reduce(b, n, ReduceOp::kSum); }
Status reduce_max(OnnxBuilder& b, const onnx::NodeProto& n) { return reduce(b, n, ReduceOp::kMax); }
Status reduce_min(OnnxBuilder& b, const onnx::NodeProto& n) { return reduce(b, n, ReduceOp::kMin); }

Status matmul(OnnxBuilder& b, const onnx::NodeProto& n) {
  TB_ASSIGN_OR_RETURN(int x, b.input(n, 0));
  TB_ASSIGN_OR_RETURN(int y, b.input(n, 1));
  return b.bind_output(n, b.add(OpKind::kMatMul, n, "", {x, y}, NoParams{}));
}

}  // namespace

const std::map<std::string, Translator>& translators() {
  static const std::map<std::string, Translator> table = [] {
    std::map<std::string, Translator> t = {
        {"Relu", simple_unary<UnaryOp::kRelu>},
        {"Sigmoid", simple_unary<UnaryOp::kSigmoid>},
        {"Tanh", simple_unary<UnaryOp::kTanh>},
        {"Sqrt", simple_unary<UnaryOp::kSqrt>},
        {"Exp", simple_unary<UnaryOp::kExp>},
        {"Log", simple_unary<UnaryOp::kLog>},
        {"Neg", simple_unary<UnaryOp::kNeg>},
        {"Abs", simple_unary<UnaryOp::kAbs>},
        {"Erf", simple_unary<UnaryOp::kErf>},
        {"Floor", simple_unary<UnaryOp::kFloor>},
        {"Round", simple_unary<UnaryOp::kRound>},
        {"LeakyRelu", leaky_relu},
        {"Elu", elu},
        {"HardSigmoid", hard_sigmoid},
        {"HardSwish", hard_swish},
        {"Gelu", gelu},
        {"Clip", clip},
        {"PRelu", prelu},
        {"Reciprocal", reciprocal},
        {"Add", binary<BinaryOp::kAdd>},
        {"Sub", binary<BinaryOp::kSub>},
        {"Mul", binary<BinaryOp::kMul>},
        {"Div", binary<BinaryOp::kDiv>},
        {"Pow", binary<BinaryOp::kPow>},
        {"Max", binary<BinaryOp::kMax>},
        {"Min", binary<BinaryOp::kMin>},
        {"Equal", binary<BinaryOp::kEqual>},
        {"Less", binary<BinaryOp::kLess>},
        {"LessOrEqual", binary<BinaryOp::kLessEqual>},
        {"Greater", binary<BinaryOp::kGreater>},
        {"GreaterOrEqual", binary<BinaryOp::kGreaterEqual>},
        {"And", binary<BinaryOp::kAnd>},
        {"Or", binary<BinaryOp::kOr>},
        {"Xor", binary<BinaryOp::kXor>},
        {"Not", simple_unary<UnaryOp::kNot>},
        {"Identity", identity},
        {"Constant", constant},
        {"ConstantOfShape", constant_of_shape},
        {"Shape", shape},
        {"Cast", cast},
        {"Reshape", reshape},
        {"Flatten", flatten},
        {"Squeeze", squeeze},
        {"Unsqueeze", unsqueeze},
        {"Transpose", transpose},
        {"Concat", concat},
        {"Split", split},
        {"Slice", slice},
        {"Gather", gather},
        {"Expand", expand},
        {"Tile", tile},
        {"Where", where},
        {"Range", range},
        {"ReduceMean", reduce_mean},
        {"ReduceSum", reduce_sum},
        {"ReduceMax", reduce_max},
        {"ReduceMin", reduce_min},
        {"MatMul", matmul},
    };
    add_nn_translators(t);
    add_index_translators(t);
    add_signal_translators(t);
    return t;
  }();
  return table;
}

}  // namespace toonbox::onnx_import
