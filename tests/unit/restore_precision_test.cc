// The restore pipeline's precision choice (pipeline/restore/restore_precision.h): a
// network ranking computed scores (ArgMax, as CodeFormer's TopK lookup imports) runs in
// fp32 when fp16 is asked for, and says why; anything else runs as asked.
#include <gtest/gtest.h>

#include "pipeline/restore/restore_precision.h"

using namespace toonbox::pipeline;
using namespace toonbox::graph;

namespace toonbox {
namespace {

Graph scores_then_argmax(bool constant_scores) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 4, 8});
  int scores = 0;
  if (constant_scores) {
    Tensor c(DType::kFloat32, {1, 4, 8});
    scores = g.add_constant("table", std::move(c));
  } else {
    scores = g.add_node(OpKind::kUnary, "logits", {x}, UnaryParams{UnaryOp::kTanh});
  }
  ArgMaxParams p;
  p.axis = 2;
  const int idx = g.add_node(OpKind::kArgMax, "lookup", {scores}, p);
  g.add_output(idx);
  g.add_output(x);
  return g;
}

TEST(RestorePrecision, CodeLookupOverComputedScoresRunsInFp32WithANote) {
  const Graph g = scores_then_argmax(false);
  EXPECT_TRUE(selects_by_computed_scores(g));
  const RestorePrecision p = restore_precision(g, Precision::kFloat16);
  EXPECT_EQ(p.precision, Precision::kFloat32);
  EXPECT_NE(p.note.find("fp32"), std::string::npos) << p.note;
  EXPECT_NE(p.note.find("ArgMax"), std::string::npos) << p.note;
  const RestorePrecision asked32 = restore_precision(g, Precision::kFloat32);
  EXPECT_EQ(asked32.precision, Precision::kFloat32);
  EXPECT_TRUE(asked32.note.empty());
}

TEST(RestorePrecision, OtherNetworksRunAsAsked) {
  const Graph constant = scores_then_argmax(true);
  EXPECT_FALSE(selects_by_computed_scores(constant));
  EXPECT_EQ(restore_precision(constant, Precision::kFloat16).precision, Precision::kFloat16);
  Graph plain;
  const int x = plain.add_input("x", DType::kFloat32, {1, 3, 8, 8});
  plain.add_output(plain.add_node(OpKind::kUnary, "act", {x}, UnaryParams{UnaryOp::kRelu}));
  const RestorePrecision p = restore_precision(plain, Precision::kFloat16);
  EXPECT_EQ(p.precision, Precision::kFloat16);
  EXPECT_TRUE(p.note.empty());
}

}  // namespace
}  // namespace toonbox
