#include "import/model_file.h"

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <vector>

#include "import/ncnn/ncnn_importer.h"
#include "import/onnx/onnx_importer.h"
#include "import/tfjs/tfjs_importer.h"
#include "import/tfjs_layers/tfjs_layers_importer.h"

namespace fs = std::filesystem;

namespace toonbox::import {

namespace {

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

constexpr const char* kFormats =
    "toonbox reads ONNX (.onnx), TensorFlow.js graph and layers models (model.json and its shards) and ncnn "
    "(.param or .param.bin with its .bin)";

// The weights of an ncnn param that names none: X.bin beside X.param, else the only other
// .bin in its folder.
Result<std::string> find_ncnn_weights(const std::string& param) {
  std::error_code ec;
  const std::string beside = ncnn::default_ncnn_bin_path(param);
  if (!beside.empty() && fs::exists(beside, ec)) return beside;
  std::vector<std::string> bins;
  const fs::path folder = fs::path(param).parent_path().empty() ? fs::path(".") : fs::path(param).parent_path();
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    // Weights, not another network's binary param.
    if (e.is_regular_file() && lower_extension(e.path()) == ".bin" &&
        !ncnn::is_ncnn_param_path(e.path().string()))
      bins.push_back(e.path().string());
  }
  std::sort(bins.begin(), bins.end());
  if (bins.size() == 1) return bins[0];
  if (bins.empty()) return not_found(param + ": no ncnn weights (.bin) beside it; name them with --bin FILE.bin");
  std::string list;
  for (const std::string& b : bins) list += (list.empty() ? "" : ", ") + fs::path(b).filename().string();
  return invalid_argument(param + ": its folder holds several weight files (" + list +
                          "); name one with --bin FILE.bin");
}

// Formats people try to import that toonbox will never read, named by their first bytes
// (whatever the extension says) so the error says what the file is instead of "invalid
// JSON" or "not a protobuf".
std::string foreign_format(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[4] = {0, 0, 0, 0};
  in.read(reinterpret_cast<char*>(b), sizeof b);
  if (in.gcount() >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5)
    return "a Python pickle (a PyTorch .pth/.pt checkpoint?); toonbox never unpickles files, which can run code: "
           "not supported; convert it to ONNX (torch.onnx.export)";
  if (in.gcount() == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
    return "a zip archive (a PyTorch checkpoint, which is not supported: convert it to ONNX with "
           "torch.onnx.export; or a model to unpack first); " + std::string(kFormats);
  return "";
}

// A TensorFlow SavedModel is a folder with saved_model.pb (or .pbtxt) and variables/.
bool is_saved_model_folder(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "saved_model.pb", ec) || fs::exists(dir / "saved_model.pbtxt", ec);
}

// A TF.js model.json is a JSON object: a file that does not start with '{' is something
// else (a frozen graph renamed .json was reported as "JSON is nested deeper than 64
// levels" by the JSON reader's depth guard), so it is named before any parser sees it.
Status check_json_object(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[256];
  in.read(head, sizeof head);
  const std::streamsize n = in.gcount();
  std::streamsize first = 0;  // JSON may start with whitespace
  while (first < n && (head[first] == ' ' || head[first] == '\t' || head[first] == '\n' || head[first] == '\r')) ++first;
  if (first == n || head[first] == '{') return Status::ok();  // empty: the importer's error says so
  bool binary = false;
  for (std::streamsize i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(head[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') binary = true;
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(head[0]));
  return unimplemented(path + ": not a TF.js model.json (it is not a JSON object; its first byte is " + hex + ")" +
                       (binary ? "; it is binary, like a protobuf: a TensorFlow frozen graph (.pb) is not supported, "
                                 "convert it to ONNX (tf2onnx)"
                               : ""));
}

// A model.json holds a graph model ("tfjs") or a Keras layers model ("tfjs-layers"); one
// that cannot be read goes to the graph importer, whose errors say what is wrong.
std::string tfjs_format(const std::string& json) {
  return tfjs::is_tfjs_layers_model(json) ? "tfjs-layers" : "tfjs";
}

}  // namespace

Result<ModelFile> identify_model_file(const std::string& path, const std::string& weights) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path json = fs::path(path) / "model.json";
    if (!fs::exists(json, ec) && is_saved_model_folder(path))
      return unimplemented(path + ": a TensorFlow SavedModel is not supported; convert it to ONNX (python -m tf2onnx.convert "
                                  "--saved-model DIR) or to TF.js (tensorflowjs_converter); " + kFormats);
    if (!fs::exists(json, ec)) return not_found(path + ": a folder without model.json (" + kFormats + ")");
    if (const std::string foreign = foreign_format(json.string()); !foreign.empty())
      return unimplemented(json.string() + ": " + foreign);
    TB_RETURN_IF_ERROR(check_json_object(json.string()));
    return ModelFile{tfjs_format(json.string()), json.string(), ""};
  }
  if (!fs::exists(path, ec)) return not_found(path + ": no such model file or folder");
  if (const std::string foreign = foreign_format(path); !foreign.empty())
    return unimplemented(path + ": " + foreign);
  if (ncnn::is_ncnn_param_path(path)) {
    ModelFile f{"ncnn", path, weights};
    if (f.weights.empty()) {
      TB_ASSIGN_OR_RETURN(f.weights, find_ncnn_weights(path));
    } else if (!fs::exists(f.weights, ec)) {
      return not_found(f.weights + ": no such ncnn weights file");
    }
    return f;
  }
  if (!weights.empty()) return invalid_argument(path + ": --bin is for ncnn models (.param, .param.bin)");
  const std::string ext = lower_extension(path);
  if (ext == ".onnx") return ModelFile{"onnx", path, ""};
  if (ext == ".json") {
    TB_RETURN_IF_ERROR(check_json_object(path));
    return ModelFile{tfjs_format(path), path, ""};
  }
  if (ext == ".pb" || ext == ".pbtxt") {
    if (fs::path(path).stem() == "saved_model")
      return unimplemented(path + ": a TensorFlow SavedModel is not supported; convert it to ONNX (python -m "
                                  "tf2onnx.convert --saved-model DIR); " + kFormats);
    return unimplemented(path + ": a TensorFlow frozen graph (.pb) is not supported; convert it to ONNX (tf2onnx) or "
                                "TF.js (tensorflowjs_converter); " + kFormats);
  }
  if (ext == ".pth" || ext == ".pt" || ext == ".ckpt" || ext == ".pkl" || ext == ".pickle")
    return unimplemented(path + ": a PyTorch checkpoint is a Python pickle, which toonbox never opens: not supported; "
                                "convert it to ONNX (torch.onnx.export); " + kFormats);
  if (ext == ".tflite")
    return unimplemented(path + ": a TensorFlow Lite model is not supported; convert it to ONNX (tf2onnx --tflite); " +
                         std::string(kFormats));
  if (ext == ".h5" || ext == ".keras")
    return unimplemented(path + ": a Keras model is not supported; convert it to ONNX (tf2onnx) or TF.js "
                                "(tensorflowjs_converter); " + kFormats);
  return invalid_argument(path + ": not a model file toonbox knows (" + kFormats + ")");
}

Result<graph::Graph> import_model_file(const ModelFile& file) {
  if (file.format == "onnx") return onnx_import::import_onnx_model(file.entry);
  if (file.format == "ncnn") return ncnn::import_ncnn_model(file.entry, file.weights);
  if (file.format == "tfjs-layers") return tfjs::import_tfjs_layers_model(file.entry);
  return tfjs::import_tfjs_model(file.entry);
}

Result<graph::Graph> import_model_file(const std::string& path) {
  TB_ASSIGN_OR_RETURN(ModelFile file, identify_model_file(path));
  return import_model_file(file);
}

}  // namespace toonbox::import
