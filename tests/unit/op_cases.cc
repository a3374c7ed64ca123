#include "unit/op_cases.h"

#include <filesystem>
#include <stdexcept>

#include "import/onnx/onnx_importer.h"
#include "unit/test_util.h"

using namespace toonbox::graph;

namespace toonbox::test {

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = [] {
    std::vector<OpCase> all = ir_op_cases();
    for (auto* part : {&onnx_op_cases, &onnx_nn_op_cases, &onnx_restore_op_cases, &dft_op_cases})
      for (OpCase& c : part()) all.push_back(std::move(c));
    std::set<std::string> names;
    for (const OpCase& c : all)
      if (!names.insert(c.name).second) throw std::logic_error("duplicate op case " + c.name);
    return all;
  }();
  return cases;
}

double op_case_tolerance(const OpCase& c, bool fp16) {
  if (c.is_onnx()) return fp16 ? 1e-4 : 1e-10;
  return fp16 ? 2e-5 : 1e-9;
}

std::vector<Tensor> op_case_inputs(const OpCase& c) {
  uint32_t seed = 2166136261u;  // FNV-1a of the name
  for (unsigned char ch : c.name) seed = (seed ^ ch) * 16777619u;
  std::vector<Tensor> out;
  for (size_t k = 0; k < c.inputs.size(); ++k) {
    Tensor v = random_tensor(c.inputs[k].second, seed + static_cast<uint32_t>(k), c.lo, c.hi);
    if (c.exact || c.half_inputs)
      for (int64_t j = 0; j < v.numel(); ++j) v.data<float>()[j] = round_to_half(v.data<float>()[j]);
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

// The model as ONNX exporters write it: batch and spatial dims dynamic.
OnnxWriter onnx_model(const OpCase& c) {
  OnnxWriter w(c.opset);
  for (const auto& [name, shape] : c.inputs) {
    Shape dynamic = shape;
    for (size_t d = 0; d < dynamic.size(); ++d)
      if (d == 0 || d >= 2) dynamic[d] = -1;
    w.input(name, dynamic);
  }
  c.onnx(w);
  w.output("out", c.out_type);
  return w;
}

}  // namespace

std::string op_case_model(const OpCase& c) { return onnx_model(c).model().SerializeAsString(); }

Result<Graph> op_case_graph(const OpCase& c, const std::string& dir) {
  if (!c.is_onnx()) return c.ir();
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/model.onnx";
  if (!onnx_model(c).save(path)) return internal_error("cannot write " + path);
  return onnx_import::import_onnx_model(path);
}

}  // namespace toonbox::test
