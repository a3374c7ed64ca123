#include "compile/modulated_conv.h"

#include <optional>

#include "compile/node_emitter.h"
#include "graph/tensor_geometry.h"

namespace toonbox::compile {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::broadcast_strides;
using graph::Conv2DParams;
using graph::ConvTransposeParams;
using graph::Graph;
using graph::Layout;
using graph::Node;
using graph::OpKind;
using graph::Value;

namespace {

constexpr int kMaxMulDepth = 8;
// The index map runs on a float iota: exact below 2^24 elements.
constexpr int64_t kMaxKernelElements = int64_t{1} << 24;

bool is_mul(const Node& n) {
  return n.kind == OpKind::kBinary && n.p<BinaryParams>().op == BinaryOp::kMul;
}

void collect_factors(const Graph& g, int v, int depth, std::vector<int>& leaves) {
  const int p = g.value(v).producer;
  if (p >= 0 && depth < kMaxMulDepth && is_mul(g.nodes()[p])) {
    for (int in : g.nodes()[p].inputs) collect_factors(g, in, depth + 1, leaves);
    return;
  }
  leaves.push_back(v);
}

// The flat index in `src` of every element of the conv weight: the Reshape/Transpose
// `chain` (forward order) run on an iota by the reference kernels.
std::optional<std::vector<int64_t>> source_index(const Graph& g, int src,
                                                 const std::vector<int>& chain) {
  const Shape& s = g.value(src).shape;
  const int64_t n = shape_numel(s);
  if (n > kMaxKernelElements) return std::nullopt;
  Tensor cur(DType::kFloat32, s);
  for (int64_t i = 0; i < n; ++i) cur.data<float>()[i] = static_cast<float>(i);
  for (int ni : chain) {
    const Node& node = g.nodes()[ni];
    std::vector<const Tensor*> ins{&cur};
    for (size_t k = 1; k < node.inputs.size(); ++k) {
      const Value& v = g.value(node.inputs[k]);
      if (!v.constant) return std::nullopt;
      ins.push_back(&*v.constant);
    }
    std::vector<Tensor> outs;
    outs.emplace_back(DType::kFloat32, g.value(node.outputs[0]).shape);
    if (!ops::op_def(node.kind).reference(node, ins, outs).is_ok()) return std::nullopt;
    cur = std::move(outs[0]);
  }
  std::vector<int64_t> idx(n);
  for (int64_t i = 0; i < n; ++i) idx[i] = static_cast<int64_t>(cur.data<float>()[i]);
  return idx;
}

// Offset into `leaf` (broadcast numpy-style to `src`'s shape) of every src element.
std::vector<int64_t> leaf_offsets(const Shape& src, const Shape& leaf) {
  const std::vector<int64_t> bs = broadcast_strides(leaf, src.size());
  std::vector<int64_t> off(shape_numel(src));
  for (int64_t f = 0; f < static_cast<int64_t>(off.size()); ++f) {
    int64_t rest = f, o = 0;
    for (int d = static_cast<int>(src.size()) - 1; d >= 0; --d) {
      o += (rest % src[d]) * bs[d];
      rest /= src[d];
    }
    off[f] = o;
  }
  return off;
}

struct Match {
  Tensor kernel;                   // constant, in the conv's weight layout
  std::vector<int> input_scales;   // run-time factors along the input channel
  std::vector<int> output_scales;  // along the output channel (or scalars)
};

std::optional<Match> match(const Graph& g, const Node& conv) {
  const bool transposed = conv.kind == OpKind::kConvTranspose;
  if (conv.inputs.size() < 2) return std::nullopt;
  if (transposed) {
    if (conv.p<ConvTransposeParams>().groups != 1) return std::nullopt;
  } else {
    const auto& p = conv.p<Conv2DParams>();
    if (p.groups != 1 || p.layout != Layout::kNCHW) return std::nullopt;
  }
  int w = conv.inputs[1];
  if (g.is_constant(w)) return std::nullopt;
  const Shape ws = g.value(w).shape;
  if (ws.size() != 4) return std::nullopt;
  std::vector<int> chain;
  while (g.value(w).producer >= 0) {
    const Node& p = g.nodes()[g.value(w).producer];
    if (p.kind != OpKind::kReshape && p.kind != OpKind::kTranspose) break;
    chain.insert(chain.begin(), g.value(w).producer);
    w = p.inputs[0];
  }
  const int src = w;
  if (g.value(src).producer < 0 || !is_mul(g.nodes()[g.value(src).producer])) return std::nullopt;
  const Shape& ss = g.value(src).shape;
  if (shape_numel(ss) != shape_numel(ws)) return std::nullopt;
  auto index = source_index(g, src, chain);
  if (!index) return std::nullopt;

  std::vector<int> leaves;
  collect_factors(g, src, 0, leaves);
  // Conv weight [O, I, kh, kw]; ConvTranspose [I, O, kh, kw].
  const int64_t a_dim = ws[0], b_dim = ws[1], taps = ws[2] * ws[3];
  const int64_t in_ch = transposed ? a_dim : b_dim, out_ch = transposed ? b_dim : a_dim;
  const int64_t n = shape_numel(ws);
  std::vector<double> c(shape_numel(ss), 1.0);
  bool has_constant = false;
  Match m;
  for (int leaf : leaves) {
    const Value& lv = g.value(leaf);
    if (lv.dtype != DType::kFloat32) return std::nullopt;
    const std::vector<int64_t> off = leaf_offsets(ss, lv.shape);
    if (lv.constant) {
      for (size_t f = 0; f < c.size(); ++f) c[f] *= lv.constant->data<float>()[off[f]];
      has_constant = true;
      continue;
    }
    const int64_t len = shape_numel(lv.shape);
    bool along_in = len == in_ch, along_out = len == out_ch || len == 1;
    for (int64_t e = 0; e < n && (along_in || along_out); ++e) {
      const int64_t a = e / (b_dim * taps), b = (e / taps) % b_dim;
      const int64_t i = transposed ? a : b, o = transposed ? b : a;
      const int64_t lo = off[(*index)[e]];
      along_in = along_in && lo == i;
      along_out = along_out && lo == (len == 1 ? 0 : o);
    }
    if (along_in)
      m.input_scales.push_back(leaf);
    else if (along_out)
      m.output_scales.push_back(leaf);
    else
      return std::nullopt;
  }
  if (!has_constant || m.input_scales.size() + m.output_scales.size() == 0) return std::nullopt;
  m.kernel = Tensor(DType::kFloat32, ws);
  for (int64_t e = 0; e < n; ++e) m.kernel.data<float>()[e] = static_cast<float>(c[(*index)[e]]);
  return m;
}

class Rewriter : public NodeEmitter {
 public:
  explicit Rewriter(Graph& g) : NodeEmitter(g) {}

  // Appends y = conv(x * s, C) * d (+ bias) for `conv`, writing the conv's output value.
  void rewrite(const Node& conv, Match m) {
    const bool transposed = conv.kind == OpKind::kConvTranspose;
    const Shape ws = m.kernel.shape();
    const int64_t in_ch = transposed ? ws[0] : ws[1], out_ch = transposed ? ws[1] : ws[0];
    const std::string& nm = conv.name;
    int x = conv.inputs[0];
    if (!m.input_scales.empty()) {
      const int s = channel_vector(m.input_scales, in_ch, nm + "/input_scale");
      x = emit(OpKind::kBinary, nm + "/modulate", {x, s}, BinaryParams{BinaryOp::kMul});
    }
    const int kernel = g_.add_constant(nm + "/static_kernel", std::move(m.kernel));
    const bool has_bias = conv.inputs.size() > 2;
    const bool last_is_conv = m.output_scales.empty() && !has_bias;
    int y = emit(conv.kind, nm + "/static", {x, kernel}, conv.params,
                 last_is_conv ? conv.outputs[0] : -1);
    if (!m.output_scales.empty()) {
      const int d = channel_vector(m.output_scales, out_ch, nm + "/demodulation");
      y = emit(OpKind::kBinary, nm + "/demodulate", {y, d}, BinaryParams{BinaryOp::kMul},
               has_bias ? -1 : conv.outputs[0]);
    }
    if (has_bias) {
      const int b = reshape(conv.inputs[2], {1, out_ch, 1, 1}, nm + "/bias");
      emit(OpKind::kBinary, nm + "/add_bias", {y, b}, BinaryParams{BinaryOp::kAdd},
           conv.outputs[0]);
    }
  }

 private:
  // The product of `factors` as [1, C, 1, 1] ([1, 1, 1, 1] for scalars).
  int channel_vector(const std::vector<int>& factors, int64_t channels, const std::string& name) {
    int v = factors[0];
    for (size_t k = 1; k < factors.size(); ++k)
      v = emit(OpKind::kBinary, name + "/product" + std::to_string(k), {v, factors[k]},
               BinaryParams{BinaryOp::kMul});
    const int64_t len = shape_numel(g_.value(v).shape);
    return reshape(v, {1, len == 1 ? 1 : channels, 1, 1}, name);
  }
};

}  // namespace

int rewrite_modulated_convs(Graph& g) {
  NodeEmitter::set_producers(g);
  std::vector<std::optional<Match>> matches(g.nodes().size());
  int count = 0;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node& n = g.nodes()[i];
    if (n.kind != OpKind::kConv2D && n.kind != OpKind::kConvTranspose) continue;
    matches[i] = match(g, n);
    if (matches[i]) ++count;
  }
  if (count == 0) return 0;
  Rewriter r(g);
  const std::vector<Node> old = g.nodes();
  const size_t values_before = g.values().size();
  for (size_t i = 0; i < old.size(); ++i) {
    if (matches[i])
      r.rewrite(old[i], std::move(*matches[i]));
    else
      r.keep(old[i]);
  }
  if (!r.ok()) {  // a shape the rewrite did not foresee: keep the direct form
    g.values().resize(values_before);
    return 0;
  }
  r.commit();
  return count;
}

}  // namespace toonbox::compile
