#include "compile/conv_transpose_lowering.h"

#include "compile/node_emitter.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

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
using graph::DepthToSpaceMode;
using graph::DepthToSpaceParams;
using graph::SliceParams;

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

// The sub-pixel form of a strided transposed conv (stride s on both axes): output phase
// (ry, rx) of every s x s block is an ordinary conv of the input with a sub-kernel of
// ceil(k/s)^2 taps, so all phases are one Conv2D with Cout * s * s outputs, a
// DepthToSpace (CRD) that interleaves them, and a Slice that drops the transposed conv's
// padding. In one dimension, with u = o + pad_begin = q s + r:
//   y[o] = sum_m x[q - m] w[m s + r],  m = 0 .. M-1,  M = ceil(k / s)
// which is a correlation with K_r[j] = w[(M-1-j) s + r] over x padded by M-1 before.
// No zero insertion: the lowering above runs its conv on an s^2 times larger input of
// mostly zeros (Real-CUGAN 2x at 1080p: 19 ms of its 86 ms were the zero insertions and
// those convs, 10 ms a 4x4 stride-2 deconv the zero-insert form could not take).
struct SubPixel {
  int s = 1;
  int64_t mh = 0, mw = 0;      // sub-kernel taps per axis
  int64_t pad_b = 0, pad_r = 0;  // the conv's end padding, so every output's block exists
};

std::optional<SubPixel> sub_pixel_form(const Graph& g, const Node& n) {
  if (n.kind != OpKind::kConvTranspose || n.inputs.size() < 2) return std::nullopt;
  const auto& p = n.p<ConvTransposeParams>();
  if (p.groups != 1 || p.dilation_h != 1 || p.dilation_w != 1 || p.pad_mode != PadMode::kExplicit)
    return std::nullopt;
  if (p.stride_h != p.stride_w || p.stride_h < 2) return std::nullopt;
  if (!g.is_constant(n.inputs[1]) || (n.inputs.size() > 2 && !g.is_constant(n.inputs[2]))) return std::nullopt;
  const Shape& xs = g.value(n.inputs[0]).shape;
  const Shape& ws = g.value(n.inputs[1]).shape;
  const Shape& ys = g.value(n.outputs[0]).shape;
  if (xs.size() != 4 || ws.size() != 4 || ys.size() != 4) return std::nullopt;
  if (p.pad_top < 0 || p.pad_left < 0 || p.pad_bottom < 0 || p.pad_right < 0) return std::nullopt;
  SubPixel f;
  f.s = p.stride_h;
  f.mh = (ws[2] + f.s - 1) / f.s;
  f.mw = (ws[3] + f.s - 1) / f.s;
  // The last block an output needs: q = floor((pad_begin + out - 1) / s) < in + pad_end.
  const int64_t q_h = (p.pad_top + ys[2] - 1) / f.s, q_w = (p.pad_left + ys[3] - 1) / f.s;
  f.pad_b = std::max<int64_t>(0, q_h - xs[2] + 1);
  f.pad_r = std::max<int64_t>(0, q_w - xs[3] + 1);
  // A conv pad beyond its kernel reads only zeros; cuDNN refuses some of those shapes.
  if (f.pad_b > f.mh - 1 || f.pad_r > f.mw - 1) return std::nullopt;
  return f;
}

// W [Cin, Cout, kh, kw] -> K [Cout * s * s, Cin, mh, mw] with
// K[(o s + ry) s + rx][i][jh][jw] = W[i][o][(mh-1-jh) s + ry][(mw-1-jw) s + rx] (0 past k).
Tensor sub_pixel_kernel(const Tensor& w, const SubPixel& f) {
  const int64_t ci = w.dim(0), co = w.dim(1), kh = w.dim(2), kw = w.dim(3), s = f.s;
  Tensor out(DType::kFloat32, {co * s * s, ci, f.mh, f.mw});
  float* dst = out.data<float>();
  std::fill(dst, dst + out.numel(), 0.f);
  const float* src = w.data<float>();
  for (int64_t o = 0; o < co; ++o)
    for (int64_t ry = 0; ry < s; ++ry)
      for (int64_t rx = 0; rx < s; ++rx)
        for (int64_t i = 0; i < ci; ++i)
          for (int64_t jh = 0; jh < f.mh; ++jh)
            for (int64_t jw = 0; jw < f.mw; ++jw) {
              const int64_t a = (f.mh - 1 - jh) * s + ry, b = (f.mw - 1 - jw) * s + rx;
              if (a >= kh || b >= kw) continue;
              dst[((((o * s + ry) * s + rx) * ci + i) * f.mh + jh) * f.mw + jw] = src[((i * co + o) * kh + a) * kw + b];
            }
  return out;
}

void lower_sub_pixel(NodeEmitter& e, Graph& g, const Node& n, const SubPixel& f) {
  const auto& p = n.p<ConvTransposeParams>();
  const Shape ys = g.value(n.outputs[0]).shape;
  const Shape xs = g.value(n.inputs[0]).shape;
  // Before any add_constant: that may move the values (and the constants) in memory.
  Tensor kernel = sub_pixel_kernel(*g.value(n.inputs[1]).constant, f);
  std::optional<Tensor> bias;
  if (n.inputs.size() > 2) {
    const Tensor& b = *g.value(n.inputs[2]).constant;
    const int64_t phases = static_cast<int64_t>(f.s) * f.s;
    Tensor rep(DType::kFloat32, {b.numel() * phases});
    for (int64_t o = 0; o < b.numel(); ++o)
      for (int64_t r = 0; r < phases; ++r) rep.data<float>()[o * phases + r] = b.data<float>()[o];
    bias = std::move(rep);
  }
  Conv2DParams c;
  c.layout = Layout::kNCHW;
  c.pad_top = static_cast<int>(f.mh - 1);
  c.pad_left = static_cast<int>(f.mw - 1);
  c.pad_bottom = static_cast<int>(f.pad_b);
  c.pad_right = static_cast<int>(f.pad_r);
  std::vector<int> inputs = {n.inputs[0], g.add_constant(n.name + "/sub_pixel_kernel", std::move(kernel))};
  if (bias) inputs.push_back(g.add_constant(n.name + "/sub_pixel_bias", std::move(*bias)));
  int v = e.emit(OpKind::kConv2D, n.name + "/sub_pixel_conv", std::move(inputs), c);
  const bool crop = p.pad_top != 0 || p.pad_left != 0 || (xs[2] + f.pad_b) * f.s != ys[2] ||
                    (xs[3] + f.pad_r) * f.s != ys[3];
  v = e.emit(OpKind::kDepthToSpace, n.name + "/sub_pixel_interleave", {v},
             DepthToSpaceParams{Layout::kNCHW, f.s, DepthToSpaceMode::kCrd}, crop ? -1 : n.outputs[0]);
  if (!crop) return;
  auto ints = [&](const std::string& name, std::vector<int64_t> values) {
    return g.add_constant(n.name + "/sub_pixel_crop/" + name, Tensor::from_vector<int64_t>({2}, std::move(values)));
  };
  e.emit(OpKind::kSlice, n.name + "/sub_pixel_crop",
         {v, ints("starts", {p.pad_top, p.pad_left}), ints("ends", {p.pad_top + ys[2], p.pad_left + ys[3]}),
          ints("axes", {2, 3}), ints("steps", {1, 1})},
         SliceParams{}, n.outputs[0]);
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

// TOONBOX_SUB_PIXEL_DECONV=0 keeps the zero-insertion form for every strided transposed
// conv (tests compare the two).
static bool sub_pixel_enabled() {
  const char* v = std::getenv("TOONBOX_SUB_PIXEL_DECONV");
  return v == nullptr || v[0] != '0';
}

int lower_conv_transposes(Graph& g) {
  const bool sub_pixel = sub_pixel_enabled();
  int count = 0;
  for (const Node& n : g.nodes())
    count += (sub_pixel && sub_pixel_form(g, n)) || lowerable(g, n) ? 1 : 0;
  if (count == 0) return 0;
  NodeEmitter e(g);
  const std::vector<Node> old = g.nodes();
  const size_t values_before = g.values().size();
  for (const Node& n : old) {
    if (const std::optional<SubPixel> f = sub_pixel ? sub_pixel_form(g, n) : std::nullopt)
      lower_sub_pixel(e, g, n, *f);
    else if (lowerable(g, n))
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
