// ONNX Runtime's outputs for every ONNX op case (op_cases.h), computed with one
// `ort_run --batch` (tests/oracles) and kept on disk under a key of the models, inputs
// and oracle command: CTest runs every test in its own process, and the batch takes a
// second or more, so every process after the first reads the results instead.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace toonbox::test {

struct OrtResults {
  std::string skip;   // ONNX Runtime is not installed: the reference is the oracle
  std::string error;  // installed, but the batch run failed: the ONNX cases fail
  std::map<std::string, Result<std::vector<Tensor>>> by_case;  // case name -> outputs
};

const OrtResults& ort_results();

}  // namespace toonbox::test
