// What the ONNX case files share: the compact record their cases are written in, and
// its conversion into the matrix's OpCase (names prefixed "onnx ").
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "unit/op_cases.h"

namespace toonbox::test {

struct OnnxOpCase {
  std::string label;
  int opset;
  std::vector<std::pair<std::string, Shape>> inputs;  // declared with dynamic dims
  std::function<void(OnnxWriter&)> build;             // nodes; final output "out"
  float lo = -1.f, hi = 1.f;
  int out_type = onnx::TensorProto::FLOAT;  // "out"'s declared type (bool/int: compared as float)
  bool exact = false;        // see OpCase::exact
  bool half_inputs = false;  // see OpCase::half_inputs
};

inline std::vector<OpCase> to_op_cases(std::vector<OnnxOpCase> cases) {
  std::vector<OpCase> out;
  for (OnnxOpCase& k : cases) {
    OpCase c;
    c.name = "onnx " + k.label;
    c.inputs = std::move(k.inputs);
    c.lo = k.lo;
    c.hi = k.hi;
    c.exact = k.exact;
    c.half_inputs = k.half_inputs;
    c.opset = k.opset;
    c.onnx = std::move(k.build);
    c.out_type = k.out_type;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace toonbox::test
