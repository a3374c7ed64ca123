// fold_dft_scales: the normalization after two DFTs moves into the first one, the result
// is the same (reference kernels, before and after), and what must not fold does not.
#include <gtest/gtest.h>

#include "compile/fusion.h"
#include "compile/specialize.h"
#include "ops/reference.h"
#include "unit/test_util.h"

using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

// x [2,8,6,1] -> Dft(W, onesided) -> Dft(H) -> op(c) -> out
Graph rfft2_then(BinaryOp op, Tensor c, bool scalar_first = false) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {2, 8, 6, 1});
  const int a = g.add_node(OpKind::kDft, "w", {x}, DftParams{2, false, true, 0, 1.f});
  const int b = g.add_node(OpKind::kDft, "h", {a}, DftParams{1, false, false, 0, 1.f});
  const int k = g.add_constant("c", std::move(c));
  g.add_output(g.add_node(OpKind::kBinary, "norm",
                          scalar_first ? std::vector<int>{k, b} : std::vector<int>{b, k},
                          BinaryParams{op}));
  return g;
}

Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }

std::vector<Tensor> run(const Graph& g, const Tensor& x) {
  auto r = reference_run(g, {x});
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? std::move(r).value() : std::vector<Tensor>{};
}

TEST(FoldDftScales, OrthoMulMovesIntoTheFirstTransform) {
  const Tensor x = test::random_tensor({2, 8, 6, 1}, 3);
  for (BinaryOp op : {BinaryOp::kMul, BinaryOp::kDiv}) {
    auto spec =
        specialize(rfft2_then(op, scalar(op == BinaryOp::kMul ? 0.144f : 6.93f)), {x.shape()});
    ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
    const auto want = run(*spec, x);
    Graph folded = *spec;
    EXPECT_EQ(fold_dft_scales(folded), 2);  // into the second Dft, then on to the first
    ASSERT_EQ(folded.nodes().size(), 2u);
    EXPECT_NE(folded.nodes()[0].p<DftParams>().scale, 1.f);
    EXPECT_EQ(folded.nodes()[1].p<DftParams>().scale, 1.f);
    EXPECT_EQ(folded.value(folded.outputs()[0]).name, "norm");
    const auto got = run(folded, x);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_LE(test::compare(got[0], want[0]).max_abs, 1e-6)
        << test::compare(got[0], want[0]).to_string();
  }
}

TEST(FoldDftScales, LeavesWhatIsNotAScalarNormalization) {
  const Tensor x = test::random_tensor({2, 8, 6, 1}, 3);
  // A per-element factor, and c / x (not linear in x).
  for (Graph g : {rfft2_then(BinaryOp::kMul, test::random_tensor({8, 4, 2}, 4)),
                  rfft2_then(BinaryOp::kDiv, scalar(2.f), /*scalar_first=*/true)}) {
    auto spec = specialize(g, {x.shape()});
    ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
    EXPECT_EQ(fold_dft_scales(*spec), 0);
    EXPECT_EQ(spec->nodes().size(), 3u);
  }
}

}  // namespace
}  // namespace toonbox
