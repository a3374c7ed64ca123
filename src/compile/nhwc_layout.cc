#include "compile/nhwc_layout.h"

#include <cstdlib>
#include <cstring>
#include <optional>

#include "compile/node_emitter.h"

namespace toonbox::compile {

using graph::ConcatParams;
using graph::Conv2DParams;
using graph::DepthToSpaceParams;
using graph::Graph;
using graph::InstanceNormParams;
using graph::Layout;
using graph::Node;
using graph::OpKind;
using graph::ReduceParams;
using graph::ResizeParams;
using graph::SoftmaxParams;
using graph::SpaceToDepthParams;
using graph::TransposeParams;

namespace {

// NCHW axis -> its position in NHWC.
constexpr int64_t kNhwcAxis[4] = {0, 3, 1, 2};
const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};

Shape permuted(const Shape& s, const std::vector<int64_t>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = s[perm[i]];
  return out;
}

// A rank-4 tensor's data reordered NCHW -> NHWC (any dtype: bytes are moved).
Tensor to_nhwc(const Tensor& t) {
  const Shape& s = t.shape();
  Tensor out(t.dtype(), permuted(s, kToNhwc));
  const size_t e = dtype_size(t.dtype());
  const auto* src = static_cast<const std::byte*>(t.raw());
  auto* dst = static_cast<std::byte*>(out.raw());
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ic = 0; ic < c; ++ic)
      for (int64_t ih = 0; ih < h; ++ih)
        for (int64_t iw = 0; iw < w; ++iw)
          std::memcpy(dst + (((in * h + ih) * w + iw) * c + ic) * e,
                      src + (((in * c + ic) * h + ih) * w + iw) * e, e);
  return out;
}

// An int32 or int64 constant's values (plan_for admits no other).
std::vector<int64_t> ints_of(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = t.dtype() == DType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
  return v;
}

int64_t normalized_axis(int64_t axis) { return axis < 0 ? axis + 4 : axis; }

// A constant of integers (pads, slice bounds and axes), which the rewrite reads.
bool int_constant(const Graph& g, int v) {
  return g.is_constant(v) && (g.value(v).dtype == DType::kInt32 || g.value(v).dtype == DType::kInt64);
}

// How one input of an op running channels last is taken.
enum class Operand {
  kActivation,  // a rank-4 value: its channels-last form (transposed in if needed)
  kBroadcast,   // numpy-broadcast against the rank-4 output: a constant permuted, a scalar kept
  kAsIs,        // a parameter that does not depend on the layout (conv weights, sizes)
  kAxes,        // a constant list of axes (Slice): each axis mapped
  kPads,        // a constant [begins..., ends...] of the rank-4 input (Pad): permuted
};

// Per op kind: whether it can run channels last, how each input is taken, and its
// parameters rewritten. nullopt: the op stays as it is (its inputs in NCHW).
struct Plan {
  std::vector<Operand> operands;
  graph::OpParams params;
};

std::optional<Plan> plan_for(const Graph& g, const Node& n) {
  for (int out : n.outputs)
    if (g.value(out).shape.size() != 4 || g.value(out).dtype != DType::kFloat32) return std::nullopt;
  if (n.outputs.size() != 1 || n.inputs.empty()) return std::nullopt;
  const size_t k = n.inputs.size();
  auto rank4 = [&](int v) { return g.value(v).shape.size() == 4; };
  if (!rank4(n.inputs[0]) || g.is_constant(n.inputs[0])) return std::nullopt;
  Plan plan;
  plan.params = n.params;
  switch (n.kind) {
    case OpKind::kConv2D: {
      auto& p = std::get<Conv2DParams>(plan.params);
      if (p.layout != Layout::kNCHW) return std::nullopt;
      p.layout = Layout::kNHWC;
      plan.operands.assign(k, Operand::kAsIs);
      plan.operands[0] = Operand::kActivation;
      return plan;
    }
    case OpKind::kUnary:
    case OpKind::kCast:
      plan.operands = {Operand::kActivation};
      return plan;
    case OpKind::kBinary:
    case OpKind::kPRelu:
      // Each operand is a rank-4 activation or a constant broadcast against the output; a
      // computed operand of lower rank would need its own transpose (not worth it).
      for (int v : n.inputs)
        if (!g.is_constant(v) && !rank4(v)) return std::nullopt;
      for (int v : n.inputs)
        plan.operands.push_back(g.is_constant(v) ? Operand::kBroadcast : Operand::kActivation);
      return plan;
    case OpKind::kResize: {
      auto& p = std::get<ResizeParams>(plan.params);
      if (p.layout != Layout::kNCHW) return std::nullopt;
      p.layout = Layout::kNHWC;
      plan.operands.assign(k, Operand::kAsIs);
      plan.operands[0] = Operand::kActivation;
      return plan;
    }
    case OpKind::kDepthToSpace: {
      auto& p = std::get<DepthToSpaceParams>(plan.params);
      if (p.layout != Layout::kNCHW) return std::nullopt;
      p.layout = Layout::kNHWC;
      plan.operands = {Operand::kActivation};
      return plan;
    }
    case OpKind::kSpaceToDepth: {
      auto& p = std::get<SpaceToDepthParams>(plan.params);
      if (p.layout != Layout::kNCHW) return std::nullopt;
      p.layout = Layout::kNHWC;
      plan.operands = {Operand::kActivation};
      return plan;
    }
    case OpKind::kInstanceNorm: {
      auto& p = std::get<InstanceNormParams>(plan.params);
      if (p.layout != Layout::kNCHW) return std::nullopt;
      p.layout = Layout::kNHWC;
      plan.operands.assign(k, Operand::kAsIs);  // scale and bias are [C] either way
      plan.operands[0] = Operand::kActivation;
      return plan;
    }
    case OpKind::kPad:
      if (k != 2 || !int_constant(g, n.inputs[1]) || g.value(n.inputs[1]).constant->numel() != 8)
        return std::nullopt;
      plan.operands = {Operand::kActivation, Operand::kPads};
      return plan;
    case OpKind::kSlice: {
      // starts, ends, [axes], [steps]: the axes (explicit or the default 0..len-1) mapped.
      for (size_t i = 1; i < k; ++i)
        if (!int_constant(g, n.inputs[i])) return std::nullopt;
      plan.operands.assign(k, Operand::kAsIs);
      plan.operands[0] = Operand::kActivation;
      if (k >= 4) plan.operands[3] = Operand::kAxes;
      return plan;
    }
    case OpKind::kConcat: {
      for (int v : n.inputs)
        if (!rank4(v)) return std::nullopt;
      auto& p = std::get<ConcatParams>(plan.params);
      p.axis = static_cast<int>(kNhwcAxis[normalized_axis(p.axis)]);
      plan.operands.assign(k, Operand::kActivation);
      for (size_t i = 0; i < k; ++i)
        if (g.is_constant(n.inputs[i])) plan.operands[i] = Operand::kBroadcast;  // rank 4: permuted
      return plan;
    }
    case OpKind::kReduce: {
      auto& p = std::get<ReduceParams>(plan.params);
      if (!p.keepdims) return std::nullopt;
      for (int64_t& a : p.axes) a = kNhwcAxis[normalized_axis(a)];
      plan.operands = {Operand::kActivation};
      return plan;
    }
    case OpKind::kSoftmax: {
      auto& p = std::get<SoftmaxParams>(plan.params);
      p.axis = static_cast<int>(kNhwcAxis[normalized_axis(p.axis)]);
      plan.operands = {Operand::kActivation};
      return plan;
    }
    default:
      return std::nullopt;  // Pool (NCHW only), Transpose, Reshape, MatMul, Gather, Dft, ...
  }
}

class NhwcRewriter : public NodeEmitter {
 public:
  explicit NhwcRewriter(Graph& g) : NodeEmitter(g), nhwc_(g.values().size(), -1), nchw_ready_(g.values().size(), true) {}

  void rewrite() {
    old_ = g_.nodes();
    for (const Node& n : old_) {
      if (n.kind == OpKind::kTranspose && reads_channels_last_transpose(n)) {
        emit_composed_transpose(n);
        continue;
      }
      std::optional<Plan> plan = plan_for(g_, n);
      const bool start = n.kind == OpKind::kConv2D;
      if (plan && (start || reads_channels_last(n, *plan)))
        emit_channels_last(n, *plan);
      else
        keep_nchw(n);
    }
    for (int out : g_.outputs()) need_nchw(out);
  }

  NhwcLayoutResult result;

 private:
  bool reads_channels_last(const Node& n, const Plan& plan) const {
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (plan.operands[i] == Operand::kActivation && nhwc_[n.inputs[i]] >= 0) return true;
    return false;
  }

  // The original NCHW value `v` made available again (a Transpose writing its own id).
  void need_nchw(int v) {
    if (nchw_ready_[v]) return;
    emit(OpKind::kTranspose, g_.value(v).name + "/to_nchw", {nhwc_[v]}, TransposeParams{kToNchw}, v);
    count_transpose(v);
    nchw_ready_[v] = true;
  }

  // A model's own Transpose of a rank-4 value whose data is now channels last (an NHWC
  // export's NCHW -> NHWC at its end, AnimeGANv3's): one Transpose from the channels-last
  // data, usually the identity, instead of two.
  bool reads_channels_last_transpose(const Node& n) const {
    return n.inputs.size() == 1 && nhwc_[n.inputs[0]] >= 0 && g_.value(n.outputs[0]).shape.size() == 4 &&
           n.p<TransposeParams>().perm.size() == 4;
  }

  void emit_composed_transpose(const Node& n) {
    // out[i] = nchw[perm[i]] and nchw[j] = nhwc[kToNchw[j]].
    const std::vector<int64_t>& perm = n.p<TransposeParams>().perm;
    std::vector<int64_t> composed(4);
    for (int i = 0; i < 4; ++i) composed[i] = kToNchw[perm[i]];
    emit(OpKind::kTranspose, n.name + "/from_nhwc", {nhwc_[n.inputs[0]]}, TransposeParams{composed}, n.outputs[0]);
    ++result.followers;
  }

  // The channels-last form of the output of a model's own Transpose (an NHWC export's
  // NHWC -> NCHW at its start): one Transpose of that Transpose's input, and none when
  // the two cancel (then the input itself is the channels-last data).
  std::optional<int> composed_with_producer(int v) {
    const int producer = g_.value(v).producer;
    if (producer < 0 || producer >= static_cast<int>(old_.size())) return std::nullopt;
    const Node& t = old_[producer];
    if (t.kind != OpKind::kTranspose || t.inputs.size() != 1 || t.p<TransposeParams>().perm.size() != 4)
      return std::nullopt;
    const int u = t.inputs[0];
    if (g_.is_constant(u) || !nchw_ready_[u]) return std::nullopt;
    // nhwc[i] = v[kToNhwc[i]] = u[perm[kToNhwc[i]]].
    const std::vector<int64_t>& perm = t.p<TransposeParams>().perm;
    std::vector<int64_t> composed(4);
    bool identity = true;
    for (int i = 0; i < 4; ++i) {
      composed[i] = perm[kToNhwc[i]];
      identity = identity && composed[i] == i;
    }
    if (identity) return u;
    const int out = emit(OpKind::kTranspose, g_.value(v).name + "/to_nhwc", {u}, TransposeParams{composed});
    count_transpose(v);
    grow();
    return out;
  }

  int need_nhwc(int v) {
    if (nhwc_[v] >= 0) return nhwc_[v];
    if (std::optional<int> c = composed_with_producer(v)) return nhwc_[v] = *c;
    const std::string name = g_.value(v).name + "/to_nhwc";
    const int t = emit(OpKind::kTranspose, name, {v}, TransposeParams{kToNhwc});
    count_transpose(v);
    grow();
    nhwc_[v] = t;
    return t;
  }

  void count_transpose(int v) {
    ++result.transposes;
    result.transposed_elements += static_cast<double>(shape_numel(g_.value(v).shape));
  }

  void keep_nchw(const Node& n) {
    for (int v : n.inputs) need_nchw(v);
    keep(n);
  }

  // A constant broadcast against a rank-4 NCHW output, as the same broadcast against NHWC.
  int broadcast_operand(int v) {
    const Tensor c = *g_.value(v).constant;  // a copy: add_constant may move the values
    if (c.numel() == 1) return v;
    Shape s = c.shape();
    while (s.size() < 4) s.insert(s.begin(), 1);
    return g_.add_constant(g_.value(v).name + "/nhwc", to_nhwc(c.reshaped(s)));
  }

  int axes_operand(int v) {
    std::vector<int64_t> axes = ints_of(*g_.value(v).constant);
    for (int64_t& a : axes) a = kNhwcAxis[normalized_axis(a)];
    return g_.add_constant(g_.value(v).name + "/nhwc",
                           Tensor::from_vector<int64_t>({static_cast<int64_t>(axes.size())}, axes));
  }

  int pads_operand(int v) {
    const std::vector<int64_t> p = ints_of(*g_.value(v).constant);
    std::vector<int64_t> q(8);
    for (int i = 0; i < 4; ++i) {
      q[kNhwcAxis[i]] = p[i];
      q[4 + kNhwcAxis[i]] = p[4 + i];
    }
    return g_.add_constant(g_.value(v).name + "/nhwc", Tensor::from_vector<int64_t>({8}, q));
  }

  void emit_channels_last(const Node& n, const Plan& plan) {
    std::vector<int> inputs;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const int v = n.inputs[i];
      switch (plan.operands[i]) {
        case Operand::kActivation:
          inputs.push_back(g_.is_constant(v) ? broadcast_operand(v) : need_nhwc(v));
          break;
        case Operand::kBroadcast: inputs.push_back(broadcast_operand(v)); break;
        case Operand::kAsIs: inputs.push_back(v); break;
        case Operand::kAxes: inputs.push_back(axes_operand(v)); break;
        case Operand::kPads: inputs.push_back(pads_operand(v)); break;
      }
    }
    if (n.kind == OpKind::kSlice && n.inputs.size() == 3) {
      // The default axes 0..len(starts)-1, written out so they can be mapped.
      const int64_t len = g_.value(n.inputs[1]).constant->numel();
      std::vector<int64_t> axes;
      for (int64_t a = 0; a < len; ++a) axes.push_back(kNhwcAxis[a]);
      inputs.push_back(g_.add_constant(n.name + "/axes_nhwc", Tensor::from_vector<int64_t>({len}, axes)));
    }
    const int out = n.outputs[0];
    const int t = emit(n.kind, n.name + "/nhwc", std::move(inputs), plan.params);
    grow();
    nhwc_[out] = t;
    nchw_ready_[out] = false;
    if (n.kind == OpKind::kConv2D) {
      ++result.convs;
      result.conv_output_elements += static_cast<double>(shape_numel(g_.value(out).shape));
    } else {
      ++result.followers;
    }
  }

  // New values (transposes, converted outputs) are never NCHW originals.
  void grow() {
    nhwc_.resize(g_.values().size(), -1);
    nchw_ready_.resize(g_.values().size(), true);
  }

  std::vector<Node> old_;         // the graph's nodes before the rewrite (producers index it)
  std::vector<int> nhwc_;         // original value -> its channels-last copy, or -1
  std::vector<bool> nchw_ready_;  // false while a value exists only channels last
};

// TOONBOX_NHWC=0 keeps every graph's layout, =1 converts whenever it can, whatever the
// transposes cost (tests and comparisons); unset: the cost rule of convert_to_nhwc.
char env_mode() {
  const char* v = std::getenv("TOONBOX_NHWC");
  return v != nullptr && (v[0] == '0' || v[0] == '1') ? v[0] : 'a';
}

}  // namespace

NhwcLayoutResult convert_to_nhwc(Graph& g) {
  NhwcLayoutResult none;
  const char mode = env_mode();
  if (mode == '0') return none;
  bool any = false;
  for (const Node& n : g.nodes())
    if (plan_for(g, n) && n.kind == OpKind::kConv2D) any = true;
  if (!any) return none;
  const size_t values_before = g.values().size();
  NhwcRewriter r(g);
  r.rewrite();
  NhwcLayoutResult result = r.result;
  const bool too_costly = mode != '1' && result.transposed_elements > 0.25 * result.conv_output_elements;
  if (!r.ok() || too_costly) {
    g.values().resize(values_before);
    result.applied = false;
    return result;
  }
  r.commit();
  result.applied = true;
  return result;
}

}  // namespace toonbox::compile
