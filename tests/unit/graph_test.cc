// The IR passes: specialization folds shape arithmetic, SAME padding resolves as TF
// does, fusion merges activations, the planner never overlaps live buffers.
#include <gtest/gtest.h>

#include <random>

#include "compile/fusion.h"
#include "compile/memory_planner.h"
#include "compile/specialize.h"
#include "ops/reference.h"
#include "ops/shape_inference.h"
#include "unit/test_util.h"

using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

TEST(ShapeInference, TfSamePaddingPutsTheOddPadAtTheEnd) {
  // TF SAME, k=3, stride 2, in=8: out=4, total pad = (4-1)*2+3-8 = 1 -> top 0, bottom 1.
  auto r = conv_output_dim(8, 3, 2, 1, PadMode::kSameUpper, 0, 0);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->out, 4);
  EXPECT_EQ(r->pad_before, 0);
  EXPECT_EQ(r->pad_after, 1);
  auto lower = conv_output_dim(8, 3, 2, 1, PadMode::kSameLower, 0, 0);
  EXPECT_EQ(lower->pad_before, 1);
  EXPECT_EQ(lower->pad_after, 0);
  // k=7 stride 1: symmetric 3/3; in=7 stride 2 odd: out 4, total 6 -> 3/3.
  EXPECT_EQ(conv_output_dim(10, 7, 1, 1, PadMode::kSameUpper, 0, 0)->pad_before, 3);
  EXPECT_EQ(conv_output_dim(7, 3, 2, 1, PadMode::kSameUpper, 0, 0)->out, 4);
  EXPECT_FALSE(conv_output_dim(2, 5, 1, 1, PadMode::kValid, 0, 0).is_ok());
}

TEST(ShapeInference, BroadcastRules) {
  EXPECT_EQ(*broadcast_shapes({1, 5, 7, 3}, {1, 5, 7, 1}), (Shape{1, 5, 7, 3}));
  EXPECT_EQ(*broadcast_shapes({}, {2, 3}), (Shape{2, 3}));
  EXPECT_EQ(*broadcast_shapes({4, 1}, {3}), (Shape{4, 3}));
  auto bad = broadcast_shapes({2, 3}, {4, 3});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("[2,3] and [4,3]"), std::string::npos);
}

// Shape -> StridedSlice -> Mul -> Pack -> Resize, as TF exports `resize to 2x`.
Graph resize_to_double() {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 2});
  const int shape = g.add_node(OpKind::kShape, "shape", {x}, NoParams{});
  auto c = [&](const char* n, std::vector<int32_t> v) {
    return g.add_constant(n, Tensor::from_vector<int32_t>({static_cast<int64_t>(v.size())}, v));
  };
  StridedSliceParams shrink;
  shrink.shrink_axis_mask = 1;
  const int h = g.add_node(OpKind::kStridedSlice, "h", {shape, c("b1", {1}), c("e1", {2}), c("s", {1})}, shrink);
  const int w = g.add_node(OpKind::kStridedSlice, "w", {shape, c("b2", {2}), c("e2", {3}), c("s2", {1})}, shrink);
  const int two = g.add_constant("two", Tensor::from_vector<int32_t>({}, {2}));
  const int h2 = g.add_node(OpKind::kBinary, "h2", {h, two}, BinaryParams{BinaryOp::kMul});
  const int w2 = g.add_node(OpKind::kBinary, "w2", {w, two}, BinaryParams{BinaryOp::kMul});
  const int size = g.add_node(OpKind::kPack, "size", {h2, w2}, PackParams{0});
  g.add_output(g.add_node(OpKind::kResize, "up", {x, size}, ResizeParams{}));
  return g;
}

TEST(Specialize, FoldsShapeArithmeticPerInputSize) {
  const Graph g = resize_to_double();
  for (auto [h, w] : {std::pair{5, 7}, std::pair{16, 9}}) {
    auto s = specialize(g, {{1, h, w, 2}});
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    ASSERT_EQ(s->nodes().size(), 1u) << s->to_string();  // only the Resize is left
    EXPECT_EQ(s->nodes()[0].kind, OpKind::kResize);
    EXPECT_EQ(s->value(s->outputs()[0]).shape, (Shape{1, 2 * h, 2 * w, 2}));
  }
}

TEST(Specialize, RejectsWrongInputShapesWithBothShapes) {
  auto s = specialize(resize_to_double(), {{1, 5, 7, 3}});
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("got shape [1,5,7,3], expected [1,?,?,2]"), std::string::npos)
      << s.status().message();
}

TEST(Specialize, FoldsFilledConstantsThroughConvolution) {
  // ones [1,H,W,1] -> 3x3 box sum: the in-bounds count map of a guided filter.
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 1});
  const int dims = g.add_constant("dims", Tensor::from_vector<int32_t>({4}, {1, 4, 5, 1}));
  const int one = g.add_constant("one", Tensor::from_vector<float>({}, {1.f}));
  const int ones = g.add_node(OpKind::kFill, "ones", {dims, one}, NoParams{});
  Conv2DParams p;
  p.pad_mode = PadMode::kSameUpper;
  const int w = g.add_constant("w", Tensor::from_vector<float>({1, 1, 3, 3}, std::vector<float>(9, 1.f)));
  const int n = g.add_node(OpKind::kConv2D, "n", {ones, w}, p);
  g.add_output(g.add_node(OpKind::kBinary, "div", {x, n}, BinaryParams{BinaryOp::kDiv}));
  auto s = specialize(g, {{1, 4, 5, 1}});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  ASSERT_EQ(s->nodes().size(), 1u);
  const Tensor& count = *s->value(s->nodes()[0].inputs[1]).constant;
  EXPECT_EQ(count.data<float>()[0], 4.f);       // corner
  EXPECT_EQ(count.data<float>()[1], 6.f);       // top edge
  EXPECT_EQ(count.data<float>()[5 + 1], 9.f);   // interior
}

TEST(Fusion, MergesActivationIntoConvOnlyWhenSoleReader) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 4, 4, 2});
  const int w = g.add_constant("w", test::random_tensor({2, 2, 3, 3}, 1));
  Conv2DParams p;
  p.pad_mode = PadMode::kSameUpper;
  const int c = g.add_node(OpKind::kConv2D, "c", {x, w}, p);
  const int a = g.add_node(OpKind::kUnary, "a", {c}, UnaryParams{UnaryOp::kLeakyRelu, 0.2f});
  const int c2 = g.add_node(OpKind::kConv2D, "c2", {a, w}, p);
  const int a2 = g.add_node(OpKind::kUnary, "a2", {c2}, UnaryParams{UnaryOp::kRelu});
  const int sum = g.add_node(OpKind::kBinary, "sum", {a2, c2}, BinaryParams{BinaryOp::kAdd});
  g.add_output(sum);
  auto s = specialize(g, {{1, 4, 4, 2}});
  ASSERT_TRUE(s.is_ok());
  Graph fused = s.value();
  const auto inputs = std::vector<Tensor>{test::random_tensor({1, 4, 4, 2}, 5)};
  const auto before = reference_run(*s, inputs);
  EXPECT_EQ(fuse_conv_activation(fused), 1);  // c2 has two readers: not fused
  EXPECT_EQ(fused.nodes().size(), 4u);
  EXPECT_EQ(fused.nodes()[0].p<Conv2DParams>().activation.op, UnaryOp::kLeakyRelu);
  const auto after = reference_run(fused, inputs);
  // Fused: activation applied to the double accumulator; unfused: to the stored float.
  EXPECT_LE(test::compare((*after)[0], (*before)[0]).max_abs, 1e-6);
}

TEST(MemoryPlanner, NeverOverlapsLiveBuffersAndReusesDeadOnes) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> req(12);
    for (auto& r : req) {
      r.bytes = 1 + rng() % 5000;
      r.first_step = static_cast<int>(rng() % 10);
      r.last_step = r.first_step + static_cast<int>(rng() % 4);
    }
    const MemoryPlan plan = plan_memory(req, 64);
    size_t total = 0;
    for (size_t i = 0; i < req.size(); ++i) {
      total += (req[i].bytes + 63) / 64 * 64;
      EXPECT_EQ(plan.offsets[i] % 64, 0u);
      EXPECT_LE(plan.offsets[i] + req[i].bytes, plan.arena_bytes);
      for (size_t j = 0; j < i; ++j) {
        const bool time_overlap = !(req[i].last_step < req[j].first_step || req[j].last_step < req[i].first_step);
        const bool space_overlap = plan.offsets[i] < plan.offsets[j] + req[j].bytes &&
                                   plan.offsets[j] < plan.offsets[i] + req[i].bytes;
        ASSERT_FALSE(time_overlap && space_overlap) << "buffers " << i << " and " << j;
      }
    }
    EXPECT_LE(plan.arena_bytes, total);
  }
  // A chain a->b->c: a and c never live together, so they share bytes.
  const MemoryPlan chain = plan_memory({{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}}, 64);
  EXPECT_EQ(chain.offsets[0], chain.offsets[2]);
  EXPECT_EQ(chain.arena_bytes, 2 * 1024u);
}

TEST(Reference, ConvMatchesHandComputedSameStride2) {
  // 1x4x4x1 input 0..15, 3x3 ones kernel, stride 2, TF SAME: pads (top 0, bottom 1), so
  // output (0,0) sums rows 0-2, cols 0-2 = 45 (with the pad at the start, as SAME_LOWER
  // would put it, it would be rows/cols 0-1 = 10); (1,1) sums rows 2-3, cols 2-3 = 50.
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 4, 4, 1});
  Conv2DParams p;
  p.pad_mode = PadMode::kSameUpper;
  p.stride_h = p.stride_w = 2;
  const int w = g.add_constant("w", Tensor::from_vector<float>({1, 1, 3, 3}, std::vector<float>(9, 1.f)));
  g.add_output(g.add_node(OpKind::kConv2D, "c", {x, w}, p));
  auto s = specialize(g, {{1, 4, 4, 1}});
  ASSERT_TRUE(s.is_ok());
  Tensor in(DType::kFloat32, {1, 4, 4, 1});
  for (int i = 0; i < 16; ++i) in.data<float>()[i] = static_cast<float>(i);
  auto out = reference_run(*s, {in});
  ASSERT_TRUE(out.is_ok());
  const float* o = (*out)[0].data<float>();
  EXPECT_EQ(o[0], 45.f);
  EXPECT_EQ(o[1], 2 + 3 + 6 + 7 + 10 + 11);  // rows 0-2, cols 2-3
  EXPECT_EQ(o[3], 10 + 11 + 14 + 15);
}

TEST(Reference, ResizeBilinearLegacyMatchesTensorFlow) {
  // TF ResizeBilinear(align_corners=false, half_pixel_centers=false) of [0, 2] to 4:
  // src = i * 0.5 -> 0, 0.5, 1 (clamped upper), 1.5 -> values 0, 1, 2, 2.
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 1, 2, 1});
  const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {1, 4}));
  g.add_output(g.add_node(OpKind::kResize, "r", {x, size}, ResizeParams{}));
  auto s = specialize(g, {{1, 1, 2, 1}});
  auto out = reference_run(*s, {Tensor::from_vector<float>({1, 1, 2, 1}, {0.f, 2.f})});
  ASSERT_TRUE(out.is_ok());
  const float* o = (*out)[0].data<float>();
  EXPECT_EQ(o[0], 0.f);
  EXPECT_EQ(o[1], 1.f);
  EXPECT_EQ(o[2], 2.f);
  EXPECT_EQ(o[3], 2.f);
}

}  // namespace
}  // namespace toonbox
