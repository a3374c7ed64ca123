// ONNX Runtime as a test oracle: runs tests/oracles/ort_run.mjs (npm onnxruntime-node)
// with Node and reads the outputs back. Tests skip, saying why, when Node or the npm
// package is missing.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/tensor.h"

namespace toonbox::test {

// $TOONBOX_ORACLE_DIR (a copy of tests/oracles elsewhere, e.g. on the GPU machine), else
// the source tree's.
inline std::filesystem::path oracle_dir() {
  if (const char* env = std::getenv("TOONBOX_ORACLE_DIR"); env && *env) return env;
  return std::filesystem::path(TOONBOX_SOURCE_DIR) / "tests" / "oracles";
}

// The oracle command: Node with npm onnxruntime-node (tests/oracles/ort_run.mjs), else
// Python's onnxruntime (ort_run.py: the GPU machine has it but no Node); "" if neither.
inline const std::string& ort_command() {
  static const std::string cmd = [] {
    if (std::system("node --version > /dev/null 2>&1") == 0 &&
        std::filesystem::exists(oracle_dir() / "node_modules" / "onnxruntime-node"))
      return "node " + (oracle_dir() / "ort_run.mjs").string();
    if (std::system("python3 -c 'import onnxruntime' > /dev/null 2>&1") == 0)
      return "python3 " + (oracle_dir() / "ort_run.py").string();
    return std::string();
  }();
  return cmd;
}

// "" when ORT can run, else why not.
inline std::string ort_unavailable_reason() {
  if (ort_command().empty())
    return "ONNX Runtime unavailable: neither node with onnxruntime-node (scripts/install-deps) "
           "nor python3 with onnxruntime";
  return "";
}

inline void write_f32(const std::filesystem::path& p, const Tensor& t) {
  std::ofstream(p, std::ios::binary).write(static_cast<const char*>(t.raw()), t.nbytes());
}

struct OrtInput {
  std::string name;
  Tensor value;          // float32
  bool float64 = false;  // the model declares it double (CodeFormer's `weight`): sent as such
};

inline std::string ort_input_spec(const std::filesystem::path& dir, size_t i, const OrtInput& in) {
  const auto file = dir / ("in" + std::to_string(i) + (in.float64 ? ".f64" : ".f32"));
  if (in.float64) {
    std::ofstream f(file, std::ios::binary);
    for (int64_t k = 0; k < in.value.numel(); ++k) {
      const double d = in.value.data<float>()[k];
      f.write(reinterpret_cast<const char*>(&d), 8);
    }
  } else {
    write_f32(file, in.value);
  }
  std::string dims;
  for (int64_t d : in.value.shape()) dims += (dims.empty() ? "" : ",") + std::to_string(d);
  return in.name + "=" + file.string() + ":" + dims;
}

// Reads {"outputs":[{"shape":..,"file":..}]} or {"error":..}.
inline Result<std::vector<Tensor>> read_ort_result(const nlohmann::json& j) {
  if (j.contains("error")) return internal_error("ONNX Runtime: " + j["error"].get<std::string>());
  std::vector<Tensor> out;
  for (const auto& o : j["outputs"]) {
    Shape shape = o["shape"].get<Shape>();
    Tensor t(DType::kFloat32, shape);
    std::ifstream f(o["file"].get<std::string>(), std::ios::binary);
    f.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(t.nbytes()));
    if (f.gcount() != static_cast<std::streamsize>(t.nbytes()))
      return internal_error("short ORT output");
    out.push_back(std::move(t));
  }
  return out;
}

// One model, one Node process.
inline Result<std::vector<Tensor>> run_ort(const std::filesystem::path& model,
                                           const std::vector<OrtInput>& inputs,
                                           const std::filesystem::path& work) {
  std::filesystem::create_directories(work);
  std::string cmd = ort_command() + " " + model.string() + " " + (work / "out").string();
  for (size_t i = 0; i < inputs.size(); ++i) cmd += " '" + ort_input_spec(work, i, inputs[i]) + "'";
  cmd += " > " + (work / "stdout.json").string() + " 2> " + (work / "stderr.txt").string();
  if (std::system(cmd.c_str()) != 0) {
    std::ifstream e(work / "stderr.txt");
    std::string msg((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
    return internal_error("ort_run failed: " + msg.substr(0, 2000));
  }
  std::ifstream f(work / "stdout.json");
  return read_ort_result(nlohmann::json::parse(f, nullptr, false));
}

}  // namespace toonbox::test
