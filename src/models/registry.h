// The model registry: models toonbox knows by name (files, digests, licence, upstream,
// and the pixel contract their authors' inference code uses) and the models installed in
// the models directory. No weights are shipped: users import files they have
// (`toonbox models import PATH`).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "import/model_file.h"
#include "models/model_contract.h"

namespace toonbox::models {

struct KnownFile {
  const char* file;
  const char* sha256;
};

struct KnownModel {
  const char* name;         // what --model accepts
  const char* format;       // "tfjs", "onnx" or "ncnn"
  const char* entry;        // the file the importer opens, e.g. "model.json"
  const char* description;
  const char* licence;
  const char* upstream;
  std::vector<KnownFile> files;
  ModelRole role = ModelRole::kStyle;
  ImageContract contract;
  // Where the contract comes from in the authors' code, shown by `models info`.
  const char* contract_source = "";
};

const std::vector<KnownModel>& known_models();

// The built-in style's name (pipeline/builtin_style.h): always available, never importable.
inline constexpr const char* kBuiltinStyleName = "classic";
const KnownModel* find_known_model(const std::string& name);

// $TOONBOX_MODELS, else $XDG_DATA_HOME/toonbox/models, else ~/.local/share/toonbox/models.
std::string models_dir();

// What the user said about a model the registry does not know, at import time; each set
// field is recorded in the manifest and becomes part of the model's contract.
struct ContractOverrides {
  std::optional<graph::Layout> layout;
  std::optional<ChannelOrder> channels;
  std::optional<ValueRange> input_range;
  std::optional<ValueRange> output_range;
  std::optional<int> size_multiple;
  std::optional<MaskContract> mask;  // an inpainter's mask convention (--mask-convention)
  bool empty() const {
    return !layout && !channels && !input_range && !output_range && !size_multiple && !mask;
  }
};

struct InstalledModel {
  std::string name;
  std::string dir;
  std::string format;
  std::string entry_path;   // full path of the importer's entry file
  std::string weights_path; // ncnn: full path of the .bin; empty otherwise
  std::string description;
  std::string licence;
  bool known = false;       // matches a registry entry's digests
  const KnownModel* known_model = nullptr;  // that entry (whatever name it was installed as)
  ModelRole role = ModelRole::kStyle;
  ContractOverrides recorded;  // from `models import --channels ...` (unknown models only)
};

Result<std::vector<InstalledModel>> list_installed_models();
Result<InstalledModel> find_installed_model(const std::string& name);

// Letters, digits, '-', '_', '.'; 1..64 characters, not starting with '.'.
bool valid_model_name(const std::string& name);

// Names an import may not take: the built-in style's ("classic", "builtin") and
// "default", which requests use for the server's default model.
bool is_reserved_model_name(const std::string& name);

// The files of a model (import/model_file.h): each with its path relative to the model's
// folder and its path on disk, after the importers' checks of shard and external-data
// paths (sizes and weights are checked by importing). ncnn: the param, its .id.h, the .bin.
Result<std::vector<std::pair<std::string, std::string>>> model_files(const import::ModelFile& file);
// The sha256 of each of `files` (as model_files returns them): relative path, digest.
Result<std::vector<std::pair<std::string, std::string>>> file_digests(
    const std::vector<std::pair<std::string, std::string>>& files);
// The registry entry of `format` whose files all match `digests`; null when none does.
const KnownModel* identify_known_model(const std::vector<std::pair<std::string, std::string>>& digests,
                                       const std::string& format);

struct ImportOptions {
  std::string name;  // may be empty for known models
  bool force = false;  // replace an installed model
  ContractOverrides contract;  // refused for known models (the registry's is the authors')
  std::string weights;  // ncnn: the .bin (default: X.bin beside X.param, or the folder's only .bin)
};

// Imports a model from `path`: a .onnx file (plus the external data files it names), a
// TF.js graph model (a folder with model.json, or model.json itself), or an ncnn param with
// its weights. The files are validated by loading them, identified by digest when known, and copied
// into models_dir()/<name> through a temporary folder and a rename.
Result<InstalledModel> import_model(const std::string& path, const ImportOptions& options);

// Deletes an installed model's folder (one `import_model` made: it must hold a manifest);
// the built-in style cannot be removed.
Status remove_model(const std::string& name);

}  // namespace toonbox::models
