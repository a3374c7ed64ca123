// The op test matrix (ggml's test-backend-ops idea): every case of the one list in
// op_cases.h on the reference kernels, the CPU backend, CUDA fp32 and CUDA fp16, against
// ONNX Runtime for the ONNX cases where it is installed (tests/oracles; CPU execution
// provider, optimizations off) and the reference otherwise, with the tolerances of
// op_cases.h. fp16 runs round their inputs to half; an oracle that is the reference
// gets the same rounded inputs, so the test measures the op's error, not the input
// rounding. A second run must repeat the first exactly. A backend whose capability query
// refuses a case skips it, saying why, where the case allows that backend to refuse
// (OpCase::may_refuse); any other refusal fails. No GPU: the CUDA rows skip.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <set>

#include "backend/cpu/cpu_backend.h"
#include "compile/fusion.h"
#include "compile/conv_transpose_lowering.h"
#include "compile/modulated_conv.h"
#include "compile/specialize.h"
#include "ops/op_defs.h"
#include "ops/reference.h"
#include "unit/op_cases.h"
#include "unit/op_oracle.h"
#include "unit/test_util.h"

using namespace toonbox::backend;
using namespace toonbox::compile;
using namespace toonbox::ops;
using namespace toonbox::graph;

namespace toonbox::test {
namespace {

namespace fs = std::filesystem;

struct Target {
  const char* name;  // Reference, Cpu, CudaFp32, CudaFp16
  Precision precision;
};
constexpr Target kTargets[] = {{"Reference", Precision::kFloat32},
                               {"Cpu", Precision::kFloat32},
                               {"CudaFp32", Precision::kFloat32},
                               {"CudaFp16", Precision::kFloat16}};

struct OpRun {
  Target target;
  const OpCase* c;
};
void PrintTo(const OpRun& r, std::ostream* os) { *os << r.target.name << ": " << r.c->name; }

std::string sanitized(const std::string& s) {
  std::string out;
  for (char ch : s) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

// Every case on every target, except IR cases on the reference (their oracle).
std::vector<OpRun> runs() {
  std::vector<OpRun> out;
  for (const Target& t : kTargets)
    for (const OpCase& c : op_cases())
      if (c.is_onnx() || std::string(t.name) != "Reference") out.push_back({t, &c});
  return out;
}

// A scratch folder for one test's model file, removed when the test ends.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("toonbox_op_matrix_" + std::to_string(::getpid()) + "_" + sanitized(name))) {}
  ~ScratchDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

class OpMatrix : public ::testing::TestWithParam<OpRun> {};

TEST_P(OpMatrix, MatchesOracle) {
  const Target& target = GetParam().target;
  const OpCase& c = *GetParam().c;
  const bool reference = std::string(target.name) == "Reference";
  const bool fp16 = target.precision == Precision::kFloat16;

  const OrtResults* ort = c.is_onnx() ? &ort_results() : nullptr;
  if (ort) {
    ASSERT_TRUE(ort->error.empty()) << ort->error;
  }
  const bool ort_is_oracle = ort && ort->skip.empty();
  if (reference && !ort_is_oracle)
    GTEST_SKIP() << ort->skip << ": the reference is this case's oracle, nothing to check it against";

  std::unique_ptr<Backend> backend;
  if (!reference) {
    std::string why;
    backend = std::string(target.name) == "Cpu" ? cpu::create_cpu_backend() : cuda_backend(&why);
    if (!backend) GTEST_SKIP() << why;
  }

  ScratchDir dir(c.name);
  auto graph = op_case_graph(c, dir.str());
  ASSERT_TRUE(graph.is_ok()) << c.name << ": " << graph.status().to_string();
  std::vector<Shape> shapes;
  for (const auto& in : c.inputs) shapes.push_back(in.second);
  auto spec = specialize(*graph, shapes);
  ASSERT_TRUE(spec.is_ok()) << c.name << ": " << spec.status().to_string();
  Graph g = std::move(spec).value();
  rewrite_modulated_convs(g);  // as Session does
  lower_conv_transposes(g);
  fuse_conv_activation(g);

  std::vector<Tensor> inputs = op_case_inputs(c);
  if (fp16)
    for (Tensor& t : inputs)
      for (int64_t j = 0; j < t.numel(); ++j) t.data<float>()[j] = round_to_half(t.data<float>()[j]);

  std::vector<Tensor> want;
  if (ort_is_oracle) {
    const auto& r = ort->by_case.at(c.name);
    ASSERT_TRUE(r.is_ok()) << c.name << ": " << r.status().to_string();
    want = r.value();
  } else {
    auto r = reference_run(g, inputs);
    ASSERT_TRUE(r.is_ok()) << c.name << ": " << r.status().to_string();
    want = std::move(r).value();
  }

  std::vector<Tensor> got;
  if (reference) {
    auto r = reference_run(g, inputs);
    ASSERT_TRUE(r.is_ok()) << c.name << ": " << r.status().to_string();
    got = std::move(r).value();
  } else {
    const std::vector<std::string> refused = unsupported_nodes(*backend, g, target.precision);
    if (!refused.empty()) {
      std::string why;
      for (const std::string& p : refused) why += "\n  " + p;
      if (c.may_refuse.count(target.name)) GTEST_SKIP() << target.name << " refuses:" << why;
      FAIL() << target.name << " refuses " << c.name << ":" << why;
    }
    auto exe = backend->compile(g, CompileOptions{target.precision});
    ASSERT_TRUE(exe.is_ok()) << c.name << ": " << exe.status().to_string();
    ASSERT_TRUE((*exe)->run(inputs, &got, nullptr).is_ok()) << c.name;
    // A second run must give identical results (no state leaks between runs).
    std::vector<Tensor> again;
    ASSERT_TRUE((*exe)->run(inputs, &again, nullptr).is_ok()) << c.name;
    ASSERT_EQ(again.size(), got.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(compare(again[i], got[i]).max_abs, 0.0) << c.name << ": run is not repeatable";
  }

  ASSERT_EQ(got.size(), want.size()) << c.name;
  const double tol = op_case_tolerance(c, fp16);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].shape(), want[i].shape()) << c.name;
    const ErrorStats e = compare(got[i], want[i]);
    EXPECT_FALSE(e.has_nan) << c.name;
    EXPECT_LE(e.nmse, tol) << c.name << " on " << target.name << ": " << e.to_string();
    if (c.exact) {
      EXPECT_EQ(e.max_abs, 0.0) << c.name << " on " << target.name << ": " << e.to_string();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(, OpMatrix, ::testing::ValuesIn(runs()),
                         [](const ::testing::TestParamInfo<OpRun>& info) {
                           return std::string(info.param.target.name) + "_" +
                                  sanitized(info.param.c->name);
                         });

// A new OpKind must come with cases: each kind appears in some case's graph, as
// imported (the shape ops, which specialize() folds) or as specialized (what backends
// run).
TEST(OpMatrixCoverage, EveryOpKindHasCases) {
  std::set<OpKind> seen;
  for (const OpCase& c : op_cases()) {
    ScratchDir dir(c.name);
    auto graph = op_case_graph(c, dir.str());
    ASSERT_TRUE(graph.is_ok()) << c.name << ": " << graph.status().to_string();
    for (const Node& n : graph->nodes()) seen.insert(n.kind);
    std::vector<Shape> shapes;
    for (const auto& in : c.inputs) shapes.push_back(in.second);
    auto spec = specialize(*graph, shapes);
    ASSERT_TRUE(spec.is_ok()) << c.name << ": " << spec.status().to_string();
    for (const Node& n : spec->nodes()) seen.insert(n.kind);
  }
  for (size_t k = 0; k < kOpKindCount; ++k) {
    const OpKind kind = static_cast<OpKind>(k);
    EXPECT_TRUE(seen.count(kind)) << "no op case has a " << op_kind_name(kind)
                                  << " node: add one to tests/unit/op_cases*.cc";
  }
}

}  // namespace
}  // namespace toonbox::test
