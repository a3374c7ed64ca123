#include "unit/op_oracle.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "unit/op_cases.h"
#include "unit/ort_oracle.h"

namespace toonbox::test {

namespace {

namespace fs = std::filesystem;

std::vector<const OpCase*> onnx_cases() {
  std::vector<const OpCase*> out;
  for (const OpCase& c : op_cases())
    if (c.is_onnx()) out.push_back(&c);
  return out;
}

void hash_file(Sha256& key, const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  key.update(bytes.data(), bytes.size());
}

// Key of the models, inputs and oracle (command, scripts, onnxruntime-node's version): a
// change to any gives new results.
std::string cases_key(const std::vector<const OpCase*>& cases) {
  Sha256 key;
  key.update(ort_command().data(), ort_command().size());
  for (const char* f : {"ort_run.mjs", "ort_run.py", "node_modules/onnxruntime-node/package.json"})
    hash_file(key, oracle_dir() / f);
  for (const OpCase* c : cases) {
    const std::string model = op_case_model(*c);
    key.update(c->name.data(), c->name.size());
    key.update(model.data(), model.size());
    for (const Tensor& v : op_case_inputs(*c)) key.update(v.raw(), v.nbytes());
  }
  return key.hex_digest();
}

// Every model and input under `dir`, with the batch list.
void write_cases(const fs::path& dir, const std::vector<const OpCase*>& cases) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < cases.size(); ++i) {
    const OpCase& c = *cases[i];
    const fs::path cdir = dir / std::to_string(i);
    fs::create_directories(cdir);
    std::ofstream(cdir / "model.onnx", std::ios::binary) << op_case_model(c);
    const std::vector<Tensor> values = op_case_inputs(c);
    nlohmann::json specs = nlohmann::json::array();
    for (size_t k = 0; k < values.size(); ++k)
      specs.push_back(ort_input_spec(cdir, k, OrtInput{c.inputs[k].first, values[k]}));
    list.push_back({{"model", (cdir / "model.onnx").string()},
                    {"out_dir", (cdir / "out").string()},
                    {"inputs", specs}});
  }
  std::ofstream(dir / "list.json") << list.dump();
}

// Outputs of case i as ort_run wrote them; the file names are taken relative to `dir`,
// which may have been renamed since.
Result<std::vector<Tensor>> read_case(const fs::path& dir, size_t i) {
  const fs::path out = dir / std::to_string(i) / "out";
  std::ifstream f(out / "result.json");
  nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  if (j.is_discarded()) return internal_error("no ONNX Runtime result in " + out.string());
  if (j.contains("outputs"))
    for (auto& o : j["outputs"])
      o["file"] = (out / fs::path(o["file"].get<std::string>()).filename()).string();
  return read_ort_result(j);
}

OrtResults compute() {
  OrtResults r;
  r.skip = ort_unavailable_reason();
  if (!r.skip.empty()) return r;
  const std::vector<const OpCase*> cases = onnx_cases();
  const fs::path cache =
      fs::temp_directory_path() / ("toonbox_ort_cache_" + cases_key(cases).substr(0, 24));
  if (!fs::exists(cache / "complete")) {
    const fs::path scratch =
        fs::temp_directory_path() / ("toonbox_ort_cases_" + std::to_string(::getpid()));
    fs::remove_all(scratch);
    write_cases(scratch, cases);
    const std::string cmd = ort_command() + " --batch " + (scratch / "list.json").string() +
                            " > " + (scratch / "ort.log").string() + " 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      r.error = "ort_run --batch failed; see " + (scratch / "ort.log").string();
      return r;
    }
    std::ofstream(scratch / "complete") << "done\n";
    std::error_code ec;
    fs::rename(scratch, cache, ec);  // another process may have got there first: fine
    if (ec) fs::remove_all(scratch);
  }
  if (!fs::exists(cache / "complete")) {
    r.error = "ONNX Runtime results missing from " + cache.string();
    return r;
  }
  for (size_t i = 0; i < cases.size(); ++i) r.by_case.emplace(cases[i]->name, read_case(cache, i));
  return r;
}

}  // namespace

const OrtResults& ort_results() {
  static const OrtResults r = compute();
  return r;
}

}  // namespace toonbox::test
