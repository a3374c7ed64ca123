// The CPU backend's few-output conv fold (backend/cpu/cpu_conv_fold.h) is only chosen on
// AVX-512 machines, so the op matrix exercises it there alone: here it is forced on
// (TOONBOX_CPU_CONV_FOLD=1) and off on any CPU, and both must match the reference.
#include <gtest/gtest.h>

#include <cmath>

#include "backend/cpu/cpu_backend.h"
#include "cuda_test_util.h"

namespace toonbox {
namespace {

using cuda_test::expect_close;
using cuda_test::random_tensor;
using cuda_test::ScopedEnv;

struct FoldCase {
  const char* name;
  Shape nhwc;
  int out_channels, kh, kw;
  std::array<int, 4> pads;  // top, bottom, left, right
  graph::Activation act;
};

graph::Graph fold_graph(const FoldCase& c) {
  graph::Graph g;
  const int x = g.add_input("x", DType::kFloat32, c.nhwc);
  const int64_t cin = c.nhwc[3];
  const float scale = 1.f / std::sqrt(static_cast<float>(cin * c.kh * c.kw));
  std::vector<int> inputs = {x, g.add_constant("w", random_tensor({c.out_channels, cin, c.kh, c.kw}, 21, -scale,
                                                                  scale, false)),
                             g.add_constant("b", random_tensor({c.out_channels}, 22, -0.5f, 0.5f, false))};
  graph::Conv2DParams p;
  p.layout = graph::Layout::kNHWC;
  p.pad_mode = graph::PadMode::kExplicit;
  p.pad_top = c.pads[0];
  p.pad_bottom = c.pads[1];
  p.pad_left = c.pads[2];
  p.pad_right = c.pads[3];
  p.activation = c.act;
  g.add_output(g.add_node(graph::OpKind::kConv2D, c.name, inputs, p));
  return g;
}

TEST(CpuConvFold, ForcedOnAndOffBothMatchTheReference) {
  // Output widths the fold divides (15, 12, 10) and one it cannot (7: no fold at all).
  const FoldCase cases[] = {
      {"k7_32to3_leaky", {1, 9, 15, 32}, 3, 7, 7, {3, 3, 3, 3}, {graph::UnaryOp::kLeakyRelu, 0.2f}},
      {"k3_16to5", {2, 6, 12, 16}, 5, 3, 3, {1, 1, 1, 1}, {}},
      {"k5_8to2_asym", {1, 7, 10, 8}, 2, 5, 5, {1, 3, 4, 0}, {graph::UnaryOp::kTanh}},
      {"k3_8to3_width7", {1, 5, 7, 8}, 3, 3, 3, {1, 1, 1, 1}, {}},
  };
  auto cpu = cpu::create_cpu_backend();
  for (const FoldCase& c : cases) {
    const graph::Graph g = fold_graph(c);
    auto spec = compile::specialize(g, {c.nhwc});
    ASSERT_TRUE(spec.is_ok()) << spec.status().to_string();
    const Tensor x = random_tensor(c.nhwc, 23, -1.f, 1.f, false);
    auto want = ops::reference_run(spec.value(), {x});
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    for (const char* fold : {"1", "0"}) {
      ScopedEnv env("TOONBOX_CPU_CONV_FOLD", fold);
      auto exe = cpu->compile(spec.value(), backend::CompileOptions{Precision::kFloat32});
      ASSERT_TRUE(exe.is_ok()) << exe.status().to_string();
      std::vector<Tensor> got;
      ASSERT_TRUE(exe.value()->run({x}, &got, nullptr).is_ok());
      expect_close(got[0], want.value()[0], Precision::kFloat32,
                   std::string(c.name) + " with TOONBOX_CPU_CONV_FOLD=" + fold);
    }
  }
}

}  // namespace
}  // namespace toonbox
