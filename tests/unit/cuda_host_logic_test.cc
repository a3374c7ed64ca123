// The CUDA backend's host-side index logic, checked against the reference on any
// machine (no GPU needed): the broadcast collapsing that feeds the binary kernel and the
// tap tables that feed the resize kernel. Each test replays the kernel's indexing on
// the CPU (the same arithmetic as kernels/elementwise.cu and kernels/resize.cu) and
// must reproduce reference_run. This catches drift between the reference and the
// backend (a changed coordinate rule, say) in CI, which has no GPU.
#ifdef TOONBOX_BUILT_WITH_CUDA

#include <gtest/gtest.h>

#include <random>

#include "backend/cuda/broadcast.h"
#include "backend/resize_taps.h"
#include "compile/specialize.h"
#include "ops/reference.h"

using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox::cuda_host_test {
namespace {

Tensor random_values(const Shape& shape, uint32_t seed) {
  Tensor t(DType::kFloat32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(0.5f, 2.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

TEST(CudaHostLogic, BroadcastCollapseIndexesLikeTheReference) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 13, 11, 5}, {2, 13, 11, 5}}, {{1, 7, 9, 3}, {1, 7, 9, 1}},       {{1, 7, 9, 3}, {}},
      {{2, 7, 9, 5}, {5}},              {{5}, {2, 7, 9, 5}},                {{2, 5, 7, 9}, {5, 1, 1}},
      {{2, 1, 11, 5}, {1, 13, 1, 5}},   {{2, 3, 1, 4, 1, 5}, {1, 3, 2, 1, 3, 5}}, {{3, 1}, {1, 4}},
      {{1}, {1, 1}}};
  for (const auto& [sa, sb] : cases) {
    Graph g;
    const int a = g.add_input("a", DType::kFloat32, sa);
    const int b = g.add_input("b", DType::kFloat32, sb);
    g.add_output(g.add_node(OpKind::kBinary, "sub", {a, b}, BinaryParams{BinaryOp::kSub}));
    auto spec = specialize(g, {sa, sb});
    ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
    const Tensor ta = random_values(sa, 1), tb = random_values(sb, 2);
    auto want = reference_run(spec.value(), {ta, tb});
    ASSERT_TRUE(want.is_ok());
    const Shape& out = want.value()[0].shape();
    const cuda::BroadcastShape s = cuda::collapse_broadcast(sa, sb, out);
    ASSERT_GE(s.rank, 1);
    ASSERT_LE(s.rank, cuda::kMaxBroadcastRank);
    if (sa == sb) {
      EXPECT_TRUE(s.same_shape()) << "equal shapes must take the flat path";
    }
    for (int64_t i = 0; i < shape_numel(out); ++i) {
      int64_t rem = i, ia = 0, ib = 0;  // binary_broadcast_kernel's indexing
      for (int d = s.rank - 1; d >= 0; --d) {
        const int64_t q = rem / s.out_dims[d], c = rem - q * s.out_dims[d];
        ia += c * s.a_strides[d];
        ib += c * s.b_strides[d];
        rem = q;
      }
      ASSERT_EQ(ta.data<float>()[ia] - tb.data<float>()[ib], want.value()[0].data<float>()[i])
          << shape_to_string(sa) << " - " << shape_to_string(sb) << " at " << i;
    }
  }
}

TEST(CudaHostLogic, ResizeTapsPickTheReferencesSourcePixels) {
  struct Size {
    int64_t h, w, out_h, out_w;
  };
  // Includes sizes where float32 and double source coordinates pick different pixels
  // (7 -> 5 half-pixel rows, 11 -> 4 align-corners columns).
  const std::vector<Size> sizes = {{7, 9, 15, 20}, {7, 9, 3, 4}, {7, 9, 12, 10}, {7, 11, 5, 4},
                                   {7, 11, 14, 22}, {7, 11, 7, 11}, {16, 20, 32, 40}};
  int checked = 0;
  for (ResizeMode mode : {ResizeMode::kBilinear, ResizeMode::kNearest})
    for (ResizeCoord coord : {ResizeCoord::kAsymmetric, ResizeCoord::kHalfPixel, ResizeCoord::kAlignCorners})
      for (NearestRounding r : {NearestRounding::kFloor, NearestRounding::kRoundPreferCeil,
                                NearestRounding::kRoundPreferFloor, NearestRounding::kCeil}) {
        if (mode == ResizeMode::kBilinear && r != NearestRounding::kFloor) continue;
        for (const Size& z : sizes) {
          const Shape shape{1, z.h, z.w, 2};
          Graph g;
          const int x = g.add_input("x", DType::kFloat32, shape);
          const int size = g.add_constant("size", Tensor::from_vector<int32_t>(
                                                      {2}, {static_cast<int32_t>(z.out_h), static_cast<int32_t>(z.out_w)}));
          ResizeParams p;
          p.mode = mode;
          p.coord = coord;
          p.nearest = r;
          g.add_output(g.add_node(OpKind::kResize, "resize", {x, size}, p));
          auto spec = specialize(g, {shape});
          ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
          const Tensor input = random_values(shape, 3);
          auto want = reference_run(spec.value(), {input});
          ASSERT_TRUE(want.is_ok());
          const auto ty = resize_taps(p, z.h, z.out_h), tx = resize_taps(p, z.w, z.out_w);
          ASSERT_EQ(ty.size(), static_cast<size_t>(z.out_h));
          ASSERT_EQ(tx.size(), static_cast<size_t>(z.out_w));
          auto at = [&](int row, int col, int c) { return input.data<float>()[(row * z.w + col) * 2 + c]; };
          for (int64_t oy = 0; oy < z.out_h; ++oy)
            for (int64_t ox = 0; ox < z.out_w; ++ox)
              for (int c = 0; c < 2; ++c) {
                const ResizeTap a = ty[oy], b = tx[ox];  // resize_kernel's gather
                float v;
                if (mode == ResizeMode::kNearest) {
                  v = at(a.i0, b.i0, c);
                } else {
                  const float top = at(a.i0, b.i0, c) * (1.f - b.w) + at(a.i0, b.i1, c) * b.w;
                  const float bottom = at(a.i1, b.i0, c) * (1.f - b.w) + at(a.i1, b.i1, c) * b.w;
                  v = top * (1.f - a.w) + bottom * a.w;
                }
                const float w = want.value()[0].data<float>()[(oy * z.out_w + ox) * 2 + c];
                const std::string where = "mode " + std::to_string(static_cast<int>(mode)) + " coord " +
                                          std::to_string(static_cast<int>(coord)) + " rounding " +
                                          std::to_string(static_cast<int>(r)) + " " + std::to_string(z.h) + "x" +
                                          std::to_string(z.w) + " -> " + std::to_string(z.out_h) + "x" +
                                          std::to_string(z.out_w) + " at (" + std::to_string(oy) + "," +
                                          std::to_string(ox) + ")";
                if (mode == ResizeMode::kNearest) {
                  ASSERT_EQ(v, w) << where;  // the same pixel, exactly
                } else {
                  ASSERT_NEAR(v, w, 1e-5) << where;
                }
              }
          ++checked;
        }
      }
  EXPECT_EQ(checked, 15 * static_cast<int>(sizes.size()));
}

}  // namespace
}  // namespace toonbox::cuda_host_test

#endif  // TOONBOX_BUILT_WITH_CUDA
