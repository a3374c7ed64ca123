// The op test matrix's one list of cases (tests/unit/op_matrix_test.cc runs each on the
// reference, the CPU backend, CUDA fp32 and CUDA fp16). A case is either
//   - an IR graph built directly (what no ONNX model expresses: NHWC layouts, the TF.js
//     shape ops); its oracle is the reference kernels, or
//   - a one-op (or few-op) ONNX model written by onnx_test_util.h, imported like a user's
//     model; its oracle is ONNX Runtime where installed (tests/unit/op_oracle.h), the
//     reference otherwise.
// Adding an op means adding cases here: OpMatrix.EveryOpKindHasCases fails otherwise.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "unit/onnx_test_util.h"

namespace toonbox::test {

struct OpCase {
  std::string name;  // unique and stable: it is the test's name ("onnx Conv depthwise")
  // Input names and concrete shapes (an IR case's inputs in graph order).
  std::vector<std::pair<std::string, Shape>> inputs;
  float lo = -1.f, hi = 1.f;  // inputs are uniform in [lo, hi)
  // Comparisons, logic, Cast, Where: every backend must match the oracle exactly (max abs
  // error 0). Such inputs are drawn half-representable, so the fp16 run (which rounds its
  // inputs to half) sees the very inputs the oracle saw: a comparison or truncation right
  // at a rounding boundary would otherwise flip.
  bool exact = false;
  bool half_inputs = false;  // the same drawing without the exactness requirement

  // IR case: `ir` is set.
  std::function<graph::Graph()> ir;
  // ONNX case: the model's nodes (final output "out") at `opset`, "out"'s declared type.
  int opset = 0;
  std::function<void(OnnxWriter&)> onnx;
  int out_type = onnx::TensorProto::FLOAT;

  // Backends ("Cpu", "CudaFp32", "CudaFp16") whose capability query may refuse this
  // case: the test then skips, saying why. Any other refusal fails.
  std::set<std::string> may_refuse;

  bool is_onnx() const { return static_cast<bool>(onnx); }
};

// Every case, IR cases first; names are unique.
const std::vector<OpCase>& op_cases();

// The two halves of the list (op_cases_ir.cc, op_cases_onnx*.cc).
std::vector<OpCase> ir_op_cases();
std::vector<OpCase> onnx_op_cases();
std::vector<OpCase> onnx_nn_op_cases();
std::vector<OpCase> onnx_restore_op_cases();  // op_cases_onnx_restore.cc
std::vector<OpCase> dft_op_cases();  // op_cases_dft.cc

// Tolerances, normalized MSE (sum((got-want)^2)/sum(want^2)) by oracle and precision:
//   IR cases against the reference: fp32 <= 1e-9 (float accumulation in another order;
//     measured ~1e-13), fp16 <= 2e-5 (half storage: ~2^-11 relative per rounding, a few
//     roundings per op);
//   ONNX cases against ONNX Runtime (or the reference where it is missing): the
//     reference, the CPU and CUDA fp32 <= 1e-10, CUDA fp16 <= 1e-4 (inputs, weights and
//     activations rounded to half; ~2^-11 each).
double op_case_tolerance(const OpCase& c, bool fp16);

// The case's input values: seeded by its name, so they do not change when cases are
// added or reordered.
std::vector<Tensor> op_case_inputs(const OpCase& c);

// An ONNX case's model file, serialized.
std::string op_case_model(const OpCase& c);

// The graph the case runs, as imported (ONNX cases: written to `dir` and imported).
Result<graph::Graph> op_case_graph(const OpCase& c, const std::string& dir);

}  // namespace toonbox::test
