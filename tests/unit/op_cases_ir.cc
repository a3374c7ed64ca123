// The IR half of the op case list: graphs built directly, checked against the reference
// kernels (what ONNX cannot say: NHWC activations, the TF.js shape chain). Odd sizes on
// purpose, random non-zero inputs, both layouts.
#include "unit/op_cases.h"
#include "unit/test_util.h"

using namespace toonbox::graph;

namespace toonbox::test {

namespace {

const char* layout_name(Layout l) { return l == Layout::kNHWC ? "nhwc" : "nchw"; }

Shape act_shape(Layout layout, int64_t n, int64_t c, int64_t h, int64_t w) {
  return layout == Layout::kNHWC ? Shape{n, h, w, c} : Shape{n, c, h, w};
}

OpCase ir_case(std::string name, Graph g, std::vector<Shape> shapes, float lo = -1.f,
               float hi = 1.f) {
  OpCase c;
  c.name = std::move(name);
  for (size_t i = 0; i < shapes.size(); ++i)
    c.inputs.emplace_back(g.value(g.inputs()[i]).name, shapes[i]);
  c.lo = lo;
  c.hi = hi;
  c.ir = [g = std::move(g)] { return g; };
  return c;
}

const char* pad_name(PadMode p) {
  switch (p) {
    case PadMode::kExplicit: return "explicit";
    case PadMode::kValid: return "valid";
    case PadMode::kSameUpper: return "same_upper";
    case PadMode::kSameLower: return "same_lower";
  }
  return "?";
}

Graph conv_graph(Layout layout, int64_t cin, int64_t cout, int k, int stride, int dilation,
                 int groups, PadMode pad, UnaryOp act, bool bias, float alpha = 0.2f) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32,
                            layout == Layout::kNHWC ? Shape{-1, -1, -1, cin} : Shape{-1, cin, -1, -1});
  const int w = g.add_constant("w", random_tensor({cout, cin / groups, k, k}, 7, -0.5f, 0.5f));
  std::vector<int> ins = {x, w};
  if (bias) ins.push_back(g.add_constant("b", random_tensor({cout}, 8)));
  Conv2DParams p;
  p.layout = layout;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.groups = groups;
  p.pad_mode = pad;
  if (pad == PadMode::kExplicit) {
    p.pad_top = 1;
    p.pad_bottom = 2;
    p.pad_left = 0;
    p.pad_right = 1;
  }
  int y = g.add_node(OpKind::kConv2D, "conv", ins, p);
  if (act != UnaryOp::kIdentity) {
    UnaryParams u{act, act == UnaryOp::kClip ? -0.3f : alpha, 0.4f};
    y = g.add_node(OpKind::kUnary, "act", {y}, u);
  }
  g.add_output(y);
  return g;
}

void add_conv_cases(std::vector<OpCase>& out) {
  struct C {
    int cin, cout, k, stride, dil, groups;
    PadMode pad;
    UnaryOp act;
    bool bias;
  };
  const C cases[] = {
      {3, 8, 3, 1, 1, 1, PadMode::kSameUpper, UnaryOp::kIdentity, true},
      {5, 7, 3, 2, 1, 1, PadMode::kSameUpper, UnaryOp::kLeakyRelu, true},  // asymmetric pad
      {4, 6, 7, 1, 1, 1, PadMode::kSameUpper, UnaryOp::kRelu, true},
      {6, 6, 3, 1, 1, 6, PadMode::kSameUpper, UnaryOp::kIdentity, false},  // depthwise
      {4, 8, 3, 1, 1, 4, PadMode::kSameUpper, UnaryOp::kIdentity, true},   // depthwise x2
      {4, 6, 3, 1, 2, 2, PadMode::kExplicit, UnaryOp::kSigmoid, true},     // dilated, grouped
      {5, 3, 1, 1, 1, 1, PadMode::kValid, UnaryOp::kTanh, true},           // 1x1 (GEMM path)
      {3, 4, 3, 2, 1, 1, PadMode::kSameLower, UnaryOp::kClip, true},
      {3, 4, 4, 3, 1, 1, PadMode::kValid, UnaryOp::kIdentity, true},
  };
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    for (const C& c : cases) {
      out.push_back(ir_case(std::string("Conv2D ") + layout_name(layout) + " " +
                                std::to_string(c.cin) + "to" + std::to_string(c.cout) + " k" +
                                std::to_string(c.k) + " s" + std::to_string(c.stride) + " d" +
                                std::to_string(c.dil) + " g" + std::to_string(c.groups) + " " +
                                pad_name(c.pad) + " " + unary_op_name(c.act) +
                                (c.bias ? "" : " no bias"),
                            conv_graph(layout, c.cin, c.cout, c.k, c.stride, c.dil, c.groups,
                                       c.pad, c.act, c.bias),
                            {act_shape(layout, 2, c.cin, 13, 11)}));
    }
  }
  // Few outputs with an output width the CPU backend can fold (cpu_conv_fold.h: 5, 3 and
  // 3 columns into the channels) and, on CUDA fp16, 16+ input channels for the tensor-core
  // kernel: White-box's 7x7 32->3 output conv, a 3x3 16->5 one, an asymmetric 5x5 8->2.
  struct F {
    int cin, cout, k;
    PadMode pad;
    UnaryOp act;
    bool bias;
    int h, w;
  };
  const F folds[] = {
      {32, 3, 7, PadMode::kSameUpper, UnaryOp::kLeakyRelu, true, 9, 20},
      {16, 5, 3, PadMode::kSameUpper, UnaryOp::kIdentity, false, 7, 12},
      {8, 2, 5, PadMode::kExplicit, UnaryOp::kTanh, true, 8, 12},
  };
  for (const F& c : folds) {
    out.push_back(ir_case(std::string("Conv2D NHWC few outputs ") + std::to_string(c.cin) + "to" +
                              std::to_string(c.cout) + " k" + std::to_string(c.k) + " " + pad_name(c.pad) + " " +
                              unary_op_name(c.act) + (c.bias ? "" : " no bias") + " w" + std::to_string(c.w),
                          conv_graph(Layout::kNHWC, c.cin, c.cout, c.k, 1, 1, 1, c.pad, c.act, c.bias),
                          {act_shape(Layout::kNHWC, 2, c.cin, c.h, c.w)}));
  }
}

void add_binary_cases(std::vector<OpCase>& out) {
  const std::pair<Shape, Shape> shapes[] = {
      {{1, 9, 7, 3}, {1, 9, 7, 3}}, {{1, 9, 7, 3}, {1, 9, 7, 1}}, {{1, 9, 7, 3}, {}},
      {{1, 9, 7, 3}, {3}},          {{2, 1, 7, 3}, {1, 5, 1, 3}}, {{}, {1, 4, 5, 2}}};
  for (BinaryOp op : {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv,
                      BinaryOp::kMax, BinaryOp::kMin}) {
    for (const auto& [sa, sb] : shapes) {
      Graph g;
      const int a = g.add_input("a", DType::kFloat32, Shape(sa.size(), -1));
      const int b = g.add_input("b", DType::kFloat32, Shape(sb.size(), -1));
      g.add_output(g.add_node(OpKind::kBinary, "bin", {a, b}, BinaryParams{op}));
      // Division by values near zero is ill-conditioned; keep inputs in [0.5, 2].
      out.push_back(ir_case(std::string("Binary ") + binary_op_name(op) + " " +
                                shape_to_string(sa) + " " + shape_to_string(sb),
                            std::move(g), {sa, sb}, 0.5f, 2.f));
    }
  }
  Graph g;
  const int a = g.add_input("a", DType::kFloat32, {1, -1, -1, 3});
  const int k = g.add_constant("k", Tensor::from_vector<float>({}, {1e-2f}));
  g.add_output(g.add_node(OpKind::kBinary, "sub", {k, a}, BinaryParams{BinaryOp::kSub}));
  out.push_back(ir_case("Binary sub constant - x", std::move(g), {{1, 5, 7, 3}}));
}

void add_unary_cases(std::vector<OpCase>& out) {
  for (UnaryOp op : {UnaryOp::kRelu, UnaryOp::kLeakyRelu, UnaryOp::kSigmoid, UnaryOp::kTanh,
                     UnaryOp::kClip, UnaryOp::kSquare, UnaryOp::kSqrt, UnaryOp::kAbs,
                     UnaryOp::kNeg, UnaryOp::kExp, UnaryOp::kLog, UnaryOp::kRound,
                     UnaryOp::kFloor}) {
    Graph g;
    const int x = g.add_input("x", DType::kFloat32, {-1, -1, -1});
    UnaryParams p{op, op == UnaryOp::kLeakyRelu ? 0.2f : -0.25f, 0.5f};
    g.add_output(g.add_node(OpKind::kUnary, "u", {x}, p));
    const bool positive = op == UnaryOp::kSqrt || op == UnaryOp::kLog;
    // Round/Floor: scale up so many values cross integer boundaries.
    const float lo =
        positive ? 0.1f : (op == UnaryOp::kRound || op == UnaryOp::kFloor ? -7.f : -2.f);
    const float hi = positive ? 3.f : -lo;
    out.push_back(ir_case(std::string("Unary ") + unary_op_name(op), std::move(g), {{3, 17, 5}},
                          lo, hi));
  }
}

void add_resize_cases(std::vector<OpCase>& out) {
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    for (ResizeMode mode : {ResizeMode::kBilinear, ResizeMode::kNearest}) {
      for (ResizeCoord coord :
           {ResizeCoord::kAsymmetric, ResizeCoord::kHalfPixel, ResizeCoord::kAlignCorners}) {
        for (auto [oh, ow] : {std::pair{14, 22}, std::pair{5, 4}, std::pair{7, 11}}) {
          Graph g;
          const int x = g.add_input("x", DType::kFloat32, {-1, -1, -1, -1});
          const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {oh, ow}));
          ResizeParams p;
          p.layout = layout;
          p.mode = mode;
          p.coord = coord;
          g.add_output(g.add_node(OpKind::kResize, "resize", {x, size}, p));
          const char* mode_name = mode == ResizeMode::kBilinear ? "bilinear" : "nearest";
          const char* coord_name = coord == ResizeCoord::kAsymmetric  ? "asymmetric"
                                   : coord == ResizeCoord::kHalfPixel ? "half_pixel"
                                                                      : "align_corners";
          out.push_back(ir_case(std::string("Resize ") + layout_name(layout) + " " + mode_name +
                                    " " + coord_name + " to " + std::to_string(oh) + "x" +
                                    std::to_string(ow),
                                std::move(g), {act_shape(layout, 2, 3, 7, 11)}));
        }
      }
    }
  }
}

// PRelu with one slope per channel: [C] against NHWC (numpy aligns it with the last
// dim), [C,1,1] against NCHW.
void add_prelu_cases(std::vector<OpCase>& out) {
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    const bool nhwc = layout == Layout::kNHWC;
    Graph g;
    const int x = g.add_input("x", DType::kFloat32, nhwc ? Shape{-1, -1, -1, 5} : Shape{-1, 5, -1, -1});
    const int slope = g.add_constant("slope", random_tensor(nhwc ? Shape{5} : Shape{5, 1, 1}, 9, 0.f, 0.5f));
    g.add_output(g.add_node(OpKind::kPRelu, "prelu", {x, slope}, NoParams{}));
    out.push_back(ir_case(std::string("PRelu ") + layout_name(layout) + " per channel", std::move(g),
                          {act_shape(layout, 2, 5, 9, 7)}, -2.f, 2.f));
  }
}

// DepthToSpace (both modes) and SpaceToDepth in both layouts; data movement, so every
// backend must match exactly.
void add_depth_space_cases(std::vector<OpCase>& out) {
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    const bool nhwc = layout == Layout::kNHWC;
    for (DepthToSpaceMode mode : {DepthToSpaceMode::kDcr, DepthToSpaceMode::kCrd}) {
      Graph g;
      const int x = g.add_input("x", DType::kFloat32, nhwc ? Shape{-1, -1, -1, 18} : Shape{-1, 18, -1, -1});
      g.add_output(g.add_node(OpKind::kDepthToSpace, "d2s", {x}, DepthToSpaceParams{layout, 3, mode}));
      OpCase c = ir_case(std::string("DepthToSpace ") + layout_name(layout) + " block 3 " +
                             (mode == DepthToSpaceMode::kDcr ? "DCR" : "CRD"),
                         std::move(g), {act_shape(layout, 2, 18, 5, 7)});
      c.exact = true;
      out.push_back(std::move(c));
    }
    Graph g;
    const int x = g.add_input("x", DType::kFloat32, nhwc ? Shape{-1, -1, -1, 3} : Shape{-1, 3, -1, -1});
    g.add_output(g.add_node(OpKind::kSpaceToDepth, "s2d", {x}, SpaceToDepthParams{layout, 2}));
    OpCase c = ir_case(std::string("SpaceToDepth ") + layout_name(layout) + " block 2", std::move(g),
                       {act_shape(layout, 2, 3, 10, 6)});
    c.exact = true;
    out.push_back(std::move(c));
  }
}

// InstanceNorm in both layouts, and the reflect and edge pads style-transfer nets put in
// front of their convolutions, on a 4-D activation in both layouts.
void add_instance_norm_and_pad_cases(std::vector<OpCase>& out) {
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    const bool nhwc = layout == Layout::kNHWC;
    Graph g;
    const int x = g.add_input("x", DType::kFloat32, nhwc ? Shape{-1, -1, -1, 6} : Shape{-1, 6, -1, -1});
    const int s = g.add_constant("scale", random_tensor({6}, 31));
    const int b = g.add_constant("bias", random_tensor({6}, 32));
    g.add_output(g.add_node(OpKind::kInstanceNorm, "norm", {x, s, b}, InstanceNormParams{layout, 1e-5f}));
    out.push_back(ir_case(std::string("InstanceNorm ") + layout_name(layout), std::move(g),
                          {act_shape(layout, 2, 6, 9, 13)}, -1.f, 3.f));
    for (PadKind mode : {PadKind::kReflect, PadKind::kEdge}) {
      Graph p;
      const int px = p.add_input("x", DType::kFloat32, {-1, -1, -1, -1});
      // 3 rows/columns before and after the spatial dims (ReflectionPad2d(3)), 1 more at
      // the end of W: asymmetric.
      const std::vector<int64_t> pads = nhwc ? std::vector<int64_t>{0, 3, 3, 0, 0, 3, 4, 0}
                                             : std::vector<int64_t>{0, 0, 3, 3, 0, 0, 3, 4};
      const int pv = p.add_constant("pads", Tensor::from_vector<int64_t>({8}, pads));
      p.add_output(p.add_node(OpKind::kPad, "pad", {px, pv}, PadParams{mode, 0.f}));
      OpCase c = ir_case(std::string("Pad ") + layout_name(layout) +
                             (mode == PadKind::kReflect ? " reflect" : " edge") + " 3 3 3 4",
                         std::move(p), {act_shape(layout, 2, 4, 7, 9)});
      c.exact = true;
      out.push_back(std::move(c));
    }
  }
}

// conv -> leaky relu -> downsample conv -> resize x2 -> add skip -> divide: the shape of
// the White-box UNet's building blocks, with memory planning exercised across ops and
// the TF.js shape chain (Shape -> StridedSlice -> resize size) folded.
Graph unet_block() {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  Conv2DParams p;
  p.pad_mode = PadMode::kSameUpper;
  const int c1 = g.add_node(OpKind::kConv2D, "c1",
                            {x, g.add_constant("w1", random_tensor({8, 3, 3, 3}, 1)),
                             g.add_constant("b1", random_tensor({8}, 2))},
                            p);
  const int a1 = g.add_node(OpKind::kUnary, "a1", {c1}, UnaryParams{UnaryOp::kLeakyRelu, 0.2f});
  Conv2DParams down = p;
  down.stride_h = down.stride_w = 2;
  const int c2 = g.add_node(
      OpKind::kConv2D, "c2", {a1, g.add_constant("w2", random_tensor({8, 8, 3, 3}, 3, -0.3f, 0.3f))},
      down);
  const int shape = g.add_node(OpKind::kShape, "shape", {a1}, NoParams{});
  const int b = g.add_constant("b", Tensor::from_vector<int32_t>({1}, {1}));
  const int e = g.add_constant("e", Tensor::from_vector<int32_t>({1}, {3}));
  const int s = g.add_constant("s", Tensor::from_vector<int32_t>({1}, {1}));
  const int hw = g.add_node(OpKind::kStridedSlice, "hw", {shape, b, e, s}, StridedSliceParams{});
  ResizeParams rp;
  const int up = g.add_node(OpKind::kResize, "up", {c2, hw}, rp);
  const int sum = g.add_node(OpKind::kBinary, "sum", {up, a1}, BinaryParams{BinaryOp::kAdd});
  const int sq = g.add_node(OpKind::kUnary, "sq", {sum}, UnaryParams{UnaryOp::kSquare});
  const int one = g.add_constant("one", Tensor::from_vector<float>({}, {1.f}));
  const int den = g.add_node(OpKind::kBinary, "den", {sq, one}, BinaryParams{BinaryOp::kAdd});
  g.add_output(g.add_node(OpKind::kBinary, "div", {sum, den}, BinaryParams{BinaryOp::kDiv}));
  return g;
}

// The rest of the TF.js shape ops, folded away before any backend sees the graph: the
// image height and width picked from Shape(x) by StridedSlice with shrink_axis (scalars),
// Pack-ed into [1, H, W, 1], Filled with 0.5 and added to the image (White-box's guided
// filter builds its window-count map this way); Identity passes through.
Graph tf_shape_chain() {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  const int shape = g.add_node(OpKind::kShape, "shape", {x}, NoParams{});
  auto pick = [&](int d, const char* name) {
    StridedSliceParams p;
    p.shrink_axis_mask = 1;
    return g.add_node(OpKind::kStridedSlice, name,
                      {shape, g.add_constant(std::string(name) + "/b", Tensor::from_vector<int32_t>({1}, {d})),
                       g.add_constant(std::string(name) + "/e", Tensor::from_vector<int32_t>({1}, {d + 1})),
                       g.add_constant(std::string(name) + "/s", Tensor::from_vector<int32_t>({1}, {1}))},
                      p);
  };
  const int h = pick(1, "h"), w = pick(2, "w");
  const int one = g.add_constant("one", Tensor::from_vector<int32_t>({}, {1}));
  const int dims = g.add_node(OpKind::kPack, "dims", {one, h, w, one}, PackParams{0});
  const int half = g.add_constant("half", Tensor::from_vector<float>({}, {0.5f}));
  const int fill = g.add_node(OpKind::kFill, "fill", {dims, half}, NoParams{});
  const int same = g.add_node(OpKind::kIdentity, "same", {fill}, NoParams{});
  g.add_output(g.add_node(OpKind::kBinary, "add", {x, same}, BinaryParams{BinaryOp::kAdd}));
  return g;
}

}  // namespace

std::vector<OpCase> ir_op_cases() {
  std::vector<OpCase> out;
  add_conv_cases(out);
  add_binary_cases(out);
  add_unary_cases(out);
  add_resize_cases(out);
  add_prelu_cases(out);
  add_depth_space_cases(out);
  add_instance_norm_and_pad_cases(out);
  out.push_back(ir_case("UNet block 15x17", unet_block(), {{1, 15, 17, 3}}));
  out.push_back(ir_case("UNet block 16x16", unet_block(), {{1, 16, 16, 3}}));
  out.push_back(ir_case("TF shape chain Shape StridedSlice Pack Fill Identity", tf_shape_chain(),
                        {{1, 9, 7, 3}}));
  return out;
}

}  // namespace toonbox::test
