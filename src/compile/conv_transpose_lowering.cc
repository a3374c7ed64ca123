#include "compile/conv_transpose_lowering.h"

#include "compile/node_emitter.h"

namespace toonbox::compile {

using graph::Conv2DParams;
using graph::ConvTransposeParams;
using graph::Graph;
using graph::Layout;
using graph::Node;
using graph::OpKind;
using graph::PadKind;
using graph::PadMode;
using graph::PadParams;

namespace {

bool lowerable(const Graph& g, const Node& n) {
  if (n.kind != OpKind::kConvTranspose || n.inputs.size() < 2) return false;
  const auto& p = n.p<ConvTransposeParams>();
  if (p.groups != 1 || p.dilation_h != 1 || p.dilation_w != 1) return false;
  if (p.pad_mode != PadMode::kExplicit) return false;
  if (!g.is_constant(n.inputs[1]) || g.value(n.inputs[0]).shape.size() != 4) return false;
  const Shape& ws = g.value(n.inputs[1]).shape;
  if (ws.size() != 4) return false;
  const int64_t kh = ws[2], kw = ws[3];
  // Conv2D pads: begin k-1-pad_begin, end k-1-pad_end+output_pad-(s-1) (the zero
  // insertion leaves s-1 zero rows after the last pixel), all non-negative.
  return kh - 1 - p.pad_top >= 0 && kw - 1 - p.pad_left >= 0 &&
         kh - 1 - p.pad_bottom + p.output_pad_h - (p.stride_h - 1) >= 0 &&
         kw - 1 - p.pad_right + p.output_pad_w - (p.stride_w - 1) >= 0;
}

// W[i][o][a][b] -> W'[o][i][k-1-a][k-1-b].
Tensor flipped_kernel(const Tensor& w) {
  const int64_t ci = w.dim(0), co = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  Tensor out(DType::kFloat32, {co, ci, kh, kw});
  const float* src = w.data<float>();
  float* dst = out.data<float>();
  for (int64_t i = 0; i < ci; ++i)
    for (int64_t o = 0; o < co; ++o)
      for (int64_t a = 0; a < kh; ++a)
        for (int64_t b = 0; b < kw; ++b)
          dst[((o * ci + i) * kh + (kh - 1 - a)) * kw + (kw - 1 - b)] =
              src[((i * co + o) * kh + a) * kw + b];
  return out;
}

void lower(NodeEmitter& e, Graph& g, const Node& n) {
  const auto& p = n.p<ConvTransposeParams>();
  const Shape xs = g.value(n.inputs[0]).shape;
  // Before any add_constant: that may move the values (and the constant) in memory.
  Tensor kernel = flipped_kernel(*g.value(n.inputs[1]).constant);
  const int64_t kh = kernel.dim(2), kw = kernel.dim(3);
  int x = n.inputs[0];
  if (p.stride_h > 1 || p.stride_w > 1) {
    const std::string nm = n.name + "/zero_insert";
    x = e.reshape(x, {xs[0], xs[1], xs[2], 1, xs[3], 1}, nm + "/split");
    const int pads = g.add_constant(
        nm + "/pads", Tensor::from_vector<int64_t>(
                          {12}, {0, 0, 0, 0, 0, 0, 0, 0, 0, p.stride_h - 1, 0, p.stride_w - 1}));
    x = e.emit(OpKind::kPad, nm, {x, pads}, PadParams{PadKind::kConstant, 0.f});
    x = e.reshape(x, {xs[0], xs[1], xs[2] * p.stride_h, xs[3] * p.stride_w}, nm + "/merge");
  }
  Conv2DParams c;
  c.layout = Layout::kNCHW;
  c.pad_top = static_cast<int>(kh - 1 - p.pad_top);
  c.pad_left = static_cast<int>(kw - 1 - p.pad_left);
  c.pad_bottom = static_cast<int>(kh - 1 - p.pad_bottom + p.output_pad_h - (p.stride_h - 1));
  c.pad_right = static_cast<int>(kw - 1 - p.pad_right + p.output_pad_w - (p.stride_w - 1));
  std::vector<int> inputs = {x, g.add_constant(n.name + "/as_conv_kernel", std::move(kernel))};
  if (n.inputs.size() > 2) inputs.push_back(n.inputs[2]);
  e.emit(OpKind::kConv2D, n.name + "/as_conv", std::move(inputs), c, n.outputs[0]);
}

}  // namespace

int lower_conv_transposes(Graph& g) {
  int count = 0;
  for (const Node& n : g.nodes()) count += lowerable(g, n) ? 1 : 0;
  if (count == 0) return 0;
  NodeEmitter e(g);
  const std::vector<Node> old = g.nodes();
  const size_t values_before = g.values().size();
  for (const Node& n : old) {
    if (lowerable(g, n))
      lower(e, g, n);
    else
      e.keep(n);
  }
  if (!e.ok()) {
    g.values().resize(values_before);
    return 0;
  }
  e.commit();
  return count;
}

}  // namespace toonbox::compile
