// compile/nhwc_layout.h: an NCHW graph run channels last computes what it computed
// before (the float64-accumulating reference on both graphs), with transposes only at its
// boundaries, for the shapes of the ncnn upscalers: realesr-animevideov3 (conv + PRelu
// chain, PixelShuffle, nearest upsample of the input, add) and Real-CUGAN (SE blocks:
// global mean, flatten, 1x1 convs, sigmoid, broadcast multiply; reflect pad, crop,
// concat), plus the cases it must leave alone.
#include <gtest/gtest.h>

#include <algorithm>

#include <stdlib.h>

#include "compile/nhwc_layout.h"
#include "compile/specialize.h"
#include "ops/reference.h"
#include "test_util.h"

using namespace toonbox::graph;

namespace toonbox {
namespace {

using test::random_tensor;

int count_kind(const Graph& g, OpKind kind) {
  return static_cast<int>(std::count_if(g.nodes().begin(), g.nodes().end(),
                                        [&](const Node& n) { return n.kind == kind; }));
}

int count_layout(const Graph& g, Layout layout) {
  int n = 0;
  for (const Node& node : g.nodes())
    if (node.kind == OpKind::kConv2D && node.p<Conv2DParams>().layout == layout) ++n;
  return n;
}

uint32_t next_seed = 100;

int conv(Graph& g, int x, int cin, int cout, int k, Activation act = {}, int stride = 1) {
  Conv2DParams p;
  p.layout = Layout::kNCHW;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = k / 2;
  p.activation = act;
  const uint32_t seed = next_seed;
  next_seed += 2;
  const int w = g.add_constant("w" + std::to_string(seed), random_tensor({cout, cin, k, k}, seed));
  const int b = g.add_constant("b" + std::to_string(seed), random_tensor({cout}, seed + 1));
  return g.add_node(OpKind::kConv2D, "conv" + std::to_string(seed), {x, w, b}, p);
}

int prelu(Graph& g, int x, int c) {
  const uint32_t seed = next_seed++;
  const int slope = g.add_constant("slope" + std::to_string(seed), random_tensor({c, 1, 1}, seed));
  return g.add_node(OpKind::kPRelu, "prelu" + std::to_string(seed), {x, slope}, NoParams{});
}

int ints(Graph& g, const std::string& name, std::vector<int64_t> v) {
  return g.add_constant(name, Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
}

// Specializes `g` for `shape`, converts a copy and checks the two agree; returns the copy.
Graph expect_same_results(const Graph& g, const Shape& shape, compile::NhwcLayoutResult* result) {
  auto spec = compile::specialize(g, {shape});
  EXPECT_TRUE(spec.is_ok()) << spec.status().to_string();
  if (!spec.is_ok()) return g;
  Graph converted = spec.value();
  *result = compile::convert_to_nhwc(converted);
  const Tensor x = random_tensor(shape, 7);
  auto want = ops::reference_run(spec.value(), {x});
  auto got = ops::reference_run(converted, {x});
  EXPECT_TRUE(want.is_ok()) << want.status().to_string();
  EXPECT_TRUE(got.is_ok()) << got.status().to_string() << "\n" << converted.to_string();
  if (!want.is_ok() || !got.is_ok()) return converted;
  EXPECT_EQ(got.value().size(), want.value().size());
  for (size_t o = 0; o < want.value().size(); ++o) {
    const Tensor& a = want.value()[o];
    const Tensor& b = got.value()[o];
    EXPECT_EQ(b.shape(), a.shape()) << "output " << o;
    if (b.shape() != a.shape()) continue;
    const test::ErrorStats e = test::compare(b, a);
    EXPECT_FALSE(e.has_nan) << "output " << o;
    EXPECT_LE(e.max_abs, 1e-5) << "output " << o << "\n" << converted.to_string();
  }
  return converted;
}

// realesr-animevideov3 in small: conv+PRelu chain, conv to 3*b*b, PixelShuffle (CRD),
// plus the nearest upsample of the input.
Graph compact_upscaler() {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 3, -1, -1});
  int y = prelu(g, conv(g, x, 3, 32, 3), 32);
  y = prelu(g, conv(g, y, 32, 32, 3), 32);
  y = conv(g, y, 32, 12, 3);
  y = g.add_node(OpKind::kDepthToSpace, "shuffle", {y}, DepthToSpaceParams{Layout::kNCHW, 2, DepthToSpaceMode::kCrd});
  ResizeParams rp;
  rp.layout = Layout::kNCHW;
  rp.mode = ResizeMode::kNearest;
  const int up = g.add_node(OpKind::kResize, "up", {x, g.add_constant("size", Tensor::from_vector<int32_t>({2}, {18, 22}))}, rp);
  g.add_output(g.add_node(OpKind::kBinary, "add", {y, up}, BinaryParams{BinaryOp::kAdd}));
  return g;
}

TEST(NhwcLayout, CompactUpscalerRunsChannelsLastWithTransposesOnlyAtItsEnds) {
  compile::NhwcLayoutResult r;
  const Graph converted = expect_same_results(compact_upscaler(), {1, 3, 9, 11}, &r);
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.convs, 3);
  EXPECT_EQ(count_layout(converted, Layout::kNCHW), 0);
  // The input once (shared by the first conv and the upsample), the output once.
  EXPECT_EQ(r.transposes, 2) << converted.to_string();
  EXPECT_EQ(count_kind(converted, OpKind::kTranspose), 2);
  for (const Node& n : converted.nodes()) {
    if (n.kind == OpKind::kResize) {
      EXPECT_EQ(n.p<ResizeParams>().layout, Layout::kNHWC);
    }
    if (n.kind == OpKind::kDepthToSpace) {
      EXPECT_EQ(n.p<DepthToSpaceParams>().layout, Layout::kNHWC);
    }
  }
  // The graph's input and output keep their NCHW shapes.
  EXPECT_EQ(converted.value(converted.inputs()[0]).shape, (Shape{1, 3, 9, 11}));
  EXPECT_EQ(converted.value(converted.outputs()[0]).shape, (Shape{1, 3, 18, 22}));
}

// An NHWC model exported to ONNX (AnimeGANv3): Transpose to NCHW after the input, NCHW
// convs, Transpose back before the output. The model's own Transposes compose with the
// pass's: none is inserted, the first disappears, the last becomes the identity.
TEST(NhwcLayout, AnNhwcExportsOwnTransposesCancel) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  int y = g.add_node(OpKind::kTranspose, "to_nchw", {x}, TransposeParams{{0, 3, 1, 2}});
  y = prelu(g, conv(g, y, 3, 32, 3), 32);
  y = conv(g, y, 32, 3, 3);
  g.add_output(g.add_node(OpKind::kTranspose, "to_nhwc", {y}, TransposeParams{{0, 2, 3, 1}}));
  compile::NhwcLayoutResult r;
  const Graph converted = expect_same_results(g, {1, 9, 11, 3}, &r);
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.transposes, 0) << converted.to_string();
  int transposes = 0;
  for (const Node& n : converted.nodes())
    if (n.kind == OpKind::kTranspose) {
      ++transposes;
      EXPECT_EQ(n.p<TransposeParams>().perm, (std::vector<int64_t>{0, 1, 2, 3})) << converted.to_string();
    }
  EXPECT_EQ(transposes, 1) << converted.to_string();
}

// Real-CUGAN's pieces: reflect pad, conv + LeakyReLU, an SE block (global mean kept as
// [N,C,1,1], flatten, two 1x1 convs, sigmoid, broadcast multiply), a crop with explicit
// axes and one with the default axes, a concat along the channels.
Graph cugan_like() {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 3, -1, -1});
  const int pads = ints(g, "pads", {0, 0, 2, 3, 0, 0, 2, 3});
  int y = g.add_node(OpKind::kPad, "pad", {x, pads}, PadParams{PadKind::kReflect, 0.f});
  y = conv(g, y, 3, 32, 3, Activation{UnaryOp::kLeakyRelu, 0.1f, 0.f});
  const int mean = g.add_node(OpKind::kReduce, "gap", {y}, ReduceParams{ReduceOp::kMean, {2, 3}, true});
  int se = g.add_node(OpKind::kReshape, "flatten", {mean, ints(g, "flat", {0, -1, 1, 1})}, ReshapeParams{});
  se = conv(g, se, 32, 4, 1, Activation{UnaryOp::kRelu, 0.f, 0.f});
  se = conv(g, se, 4, 32, 1);
  se = g.add_node(OpKind::kUnary, "sigmoid", {se}, UnaryParams{UnaryOp::kSigmoid, 0.f, 0.f});
  y = g.add_node(OpKind::kBinary, "scale", {y, se}, BinaryParams{BinaryOp::kMul});
  const int crop = g.add_node(OpKind::kSlice, "crop",
                              {y, ints(g, "s", {1, 2}), ints(g, "e", {-1, -2}), ints(g, "a", {2, 3})}, SliceParams{});
  const int crop_default = g.add_node(OpKind::kSlice, "crop_default_axes",
                                      {y, ints(g, "s0", {0, 0, 1, 2}), ints(g, "e0", {1, 32, -1, -2})}, SliceParams{});
  const int both = g.add_node(OpKind::kConcat, "cat", {crop, crop_default}, ConcatParams{1});
  const int bias = g.add_constant("cbias", random_tensor({64, 1, 1}, 3));
  y = g.add_node(OpKind::kBinary, "bias", {both, bias}, BinaryParams{BinaryOp::kAdd});
  g.add_output(conv(g, y, 64, 3, 3));
  g.add_output(mean);  // also read in NCHW by the caller
  return g;
}

TEST(NhwcLayout, SeBlocksPadsCropsAndConcatsAgree) {
  compile::NhwcLayoutResult r;
  const Graph converted = expect_same_results(cugan_like(), {1, 3, 10, 12}, &r);
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.convs, 4);
  EXPECT_EQ(count_layout(converted, Layout::kNCHW), 0) << converted.to_string();
  // Input, the pooled means into the flatten (a Reshape cannot follow) and back out of
  // it, the mean as an output, the result: each a transpose; the rest stays channels last.
  EXPECT_LE(r.transposes, 5) << converted.to_string();
  EXPECT_GE(r.followers, 7);
}

// An op that cannot follow (average Pool is NCHW-only) gets the data back in NCHW and
// the next conv takes it channels last again; results agree. By default the pass declines
// this graph (the transposes around the pool would move more than the convs write), so
// TOONBOX_NHWC=1 forces it here.
TEST(NhwcLayout, OpsThatCannotFollowGetTransposesAround) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 4, -1, -1});
  int y = conv(g, x, 4, 16, 3);
  PoolParams pp;
  pp.kind = PoolKind::kAverage;
  pp.kernel_h = pp.kernel_w = 2;
  pp.stride_h = pp.stride_w = 2;
  y = g.add_node(OpKind::kPool, "pool", {y}, pp);
  g.add_output(conv(g, y, 16, 16, 3));
  compile::NhwcLayoutResult r;
  expect_same_results(g, {1, 4, 16, 16}, &r);
  EXPECT_FALSE(r.applied);
  ::setenv("TOONBOX_NHWC", "1", 1);
  const Graph converted = expect_same_results(g, {1, 4, 16, 16}, &r);
  ::unsetenv("TOONBOX_NHWC");
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.transposes, 4) << converted.to_string();
  bool saw_pool = false;
  for (const Node& n : converted.nodes())
    if (n.kind == OpKind::kPool) {
      saw_pool = true;
      EXPECT_EQ(converted.value(n.inputs[0]).shape, (Shape{1, 16, 16, 16}));  // NCHW
    }
  EXPECT_TRUE(saw_pool);
}

// A graph whose transposes would move more than a quarter of what its convs write is
// left exactly as it was.
TEST(NhwcLayout, LeavesAGraphAloneWhenTheTransposesWouldCostMore) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 16, -1, -1});
  int y = conv(g, x, 16, 2, 3);  // writes 2 channels; the input transpose alone moves 16
  g.add_output(y);
  auto spec = compile::specialize(g, {{1, 16, 8, 8}});
  ASSERT_TRUE(spec.is_ok());
  Graph converted = spec.value();
  const compile::NhwcLayoutResult r = compile::convert_to_nhwc(converted);
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.convs, 1);
  EXPECT_EQ(converted.to_string(), spec.value().to_string());
  EXPECT_EQ(converted.values().size(), spec.value().values().size());
}

TEST(NhwcLayout, NhwcGraphsAndTheSwitchLeaveTheGraphAlone) {
  {
    Graph g;  // already channels last (a TF model)
    const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
    Conv2DParams p;
    p.layout = Layout::kNHWC;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    g.add_output(g.add_node(OpKind::kConv2D, "c", {x, g.add_constant("w", random_tensor({8, 3, 3, 3}, 1))}, p));
    auto spec = compile::specialize(g, {{1, 8, 8, 3}});
    ASSERT_TRUE(spec.is_ok());
    Graph converted = spec.value();
    EXPECT_FALSE(compile::convert_to_nhwc(converted).applied);
    EXPECT_EQ(converted.to_string(), spec.value().to_string());
  }
  ::setenv("TOONBOX_NHWC", "0", 1);
  auto spec = compile::specialize(compact_upscaler(), {{1, 3, 9, 11}});
  ASSERT_TRUE(spec.is_ok());
  Graph converted = spec.value();
  EXPECT_FALSE(compile::convert_to_nhwc(converted).applied);
  ::unsetenv("TOONBOX_NHWC");
  EXPECT_EQ(converted.to_string(), spec.value().to_string());
  EXPECT_TRUE(compile::convert_to_nhwc(converted).applied);
}

}  // namespace
}  // namespace toonbox
