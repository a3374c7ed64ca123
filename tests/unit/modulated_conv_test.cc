// compile/modulated_conv.h: StyleGAN2's modulated convolutions (the op-matrix cases'
// small exports) are rewritten into static convolutions that equal the direct form, and
// a run-time weight of another shape is left alone and refused by name.
#include <gtest/gtest.h>

#include <filesystem>

#include "backend/cpu/cpu_backend.h"
#include "compile/modulated_conv.h"
#include "compile/specialize.h"
#include "ops/reference.h"
#include "unit/op_cases.h"
#include "unit/test_util.h"

using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox {
namespace {

namespace fs = std::filesystem;

int runtime_weight_convs(const Graph& g) {
  int n = 0;
  for (const Node& node : g.nodes())
    if ((node.kind == OpKind::kConv2D || node.kind == OpKind::kConvTranspose) &&
        !g.is_constant(node.inputs[1]))
      ++n;
  return n;
}

Result<Graph> specialized_case(const std::string& name, std::vector<Tensor>* inputs) {
  for (const test::OpCase& c : test::op_cases()) {
    if (c.name != name) continue;
    const fs::path dir =
        fs::temp_directory_path() / ("toonbox_modconv_" + std::to_string(::getpid()));
    TB_ASSIGN_OR_RETURN(Graph g, test::op_case_graph(c, dir.string()));
    fs::remove_all(dir);
    std::vector<Shape> shapes;
    for (const auto& in : c.inputs) shapes.push_back(in.second);
    *inputs = test::op_case_inputs(c);
    return specialize(g, shapes);
  }
  return not_found("no op case " + name);
}

TEST(ModulatedConv, RewrittenEqualsDirectForm) {
  for (const char* name : {"onnx Conv modulated + demodulated (StyleGAN2), rewritten",
                           "onnx Conv modulated 1x1 (ToRGB), rewritten",
                           "onnx ConvTranspose modulated stride 2 (GPEN), rewritten"}) {
    std::vector<Tensor> inputs;
    auto direct = specialized_case(name, &inputs);
    ASSERT_TRUE(direct.is_ok()) << direct.status().to_string();
    ASSERT_EQ(runtime_weight_convs(*direct), 1) << name;
    Graph rewritten = *direct;
    EXPECT_EQ(rewrite_modulated_convs(rewritten), 1) << name;
    EXPECT_EQ(runtime_weight_convs(rewritten), 0) << name;
    auto a = reference_run(*direct, inputs);
    auto b = reference_run(rewritten, inputs);
    ASSERT_TRUE(a.is_ok() && b.is_ok()) << name;
    const test::ErrorStats e = test::compare((*b)[0], (*a)[0]);
    EXPECT_LE(e.nmse, 1e-12) << name << ": " << e.to_string();
    // The CPU backend refuses the direct form (run-time weight) and runs the rewrite.
    auto cpu = cpu::create_cpu_backend();
    EXPECT_FALSE(unsupported_nodes(*cpu, *direct, Precision::kFloat32).empty()) << name;
    EXPECT_TRUE(unsupported_nodes(*cpu, rewritten, Precision::kFloat32).empty()) << name;
  }
}

// W = C * r with r varying along the kernel taps at run time is not a modulated
// convolution: the pass leaves it, and the backend names the node it cannot run.
TEST(ModulatedConv, OtherRunTimeWeightsAreLeftAndRefused) {
  Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, 2, 5, 5});
  const int r = g.add_input("r", DType::kFloat32, {1, 1, 3, 3});
  const int c = g.add_constant("c", test::random_tensor({3, 2, 3, 3}, 5));
  const int w = g.add_node(OpKind::kBinary, "w", {c, r}, BinaryParams{BinaryOp::kMul});
  Conv2DParams p;
  p.layout = Layout::kNCHW;
  g.add_output(g.add_node(OpKind::kConv2D, "conv", {x, w}, p));
  auto s = specialize(g, {{1, 2, 5, 5}, {1, 1, 3, 3}});
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(rewrite_modulated_convs(*s), 0);
  auto cpu = cpu::create_cpu_backend();
  const auto refused = unsupported_nodes(*cpu, *s, Precision::kFloat32);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].find("conv"), std::string::npos) << refused[0];
}

}  // namespace
}  // namespace toonbox
