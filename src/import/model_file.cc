#include "import/model_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "import/onnx/onnx_importer.h"
#include "import/tfjs/tfjs_importer.h"

namespace fs = std::filesystem;

namespace toonbox {

namespace {

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

constexpr const char* kFormats = "toonbox reads ONNX (.onnx) and TensorFlow.js graph models (model.json and its shards)";

}  // namespace

Result<ModelFile> identify_model_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path json = fs::path(path) / "model.json";
    if (!fs::exists(json, ec)) return not_found(path + ": a folder without model.json (" + kFormats + ")");
    return ModelFile{"tfjs", json.string()};
  }
  if (!fs::exists(path, ec)) return not_found(path + ": no such model file or folder");
  const std::string ext = lower_extension(path);
  if (ext == ".onnx") return ModelFile{"onnx", path};
  if (ext == ".json") return ModelFile{"tfjs", path};
  if (ext == ".pb")
    return unimplemented(path + ": a TensorFlow frozen graph (.pb) is not supported; " + kFormats +
                         " (convert with tensorflowjs_converter or tf2onnx)");
  if (ext == ".pth" || ext == ".pt" || ext == ".ckpt" || ext == ".pkl")
    return unimplemented(path + ": a PyTorch checkpoint is a Python pickle, which toonbox never opens; " +
                         kFormats + " (export it with torch.onnx.export)");
  if (ext == ".h5" || ext == ".keras")
    return unimplemented(path + ": a Keras model is not supported; " + kFormats);
  return invalid_argument(path + ": not a model file toonbox knows (" + kFormats + ")");
}

Result<Graph> import_model_file(const std::string& path) {
  TB_ASSIGN_OR_RETURN(ModelFile file, identify_model_file(path));
  if (file.format == "onnx") return import_onnx_model(file.entry);
  return import_tfjs_model(file.entry);
}

}  // namespace toonbox
