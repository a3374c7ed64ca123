// The model registry: models toonbox knows by name (files, digests, licence, upstream)
// and the models installed in the models directory. No weights are shipped: users
// import files they have (`toonbox models import PATH`).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox {

struct KnownFile {
  const char* file;
  const char* sha256;
};

struct KnownModel {
  const char* name;         // what --model accepts
  const char* format;       // "tfjs" or "onnx"
  const char* entry;        // the file the importer opens, e.g. "model.json"
  const char* description;
  const char* licence;
  const char* upstream;
  std::vector<KnownFile> files;
};

const std::vector<KnownModel>& known_models();

// $TOONBOX_MODELS, else $XDG_DATA_HOME/toonbox/models, else ~/.local/share/toonbox/models.
std::string models_dir();

struct InstalledModel {
  std::string name;
  std::string dir;
  std::string format;
  std::string entry_path;   // full path of the importer's entry file
  std::string description;
  std::string licence;
  bool known = false;       // matches a registry entry's digests
};

Result<std::vector<InstalledModel>> list_installed_models();
Result<InstalledModel> find_installed_model(const std::string& name);

// Letters, digits, '-', '_', '.'; 1..64 characters, not starting with '.'.
bool valid_model_name(const std::string& name);

// Names an import may not take: the built-in style's ("classic", "builtin") and
// "default", which requests use for the server's default model.
bool is_reserved_model_name(const std::string& name);

// Imports a model from `path`: a .onnx file (plus the external data files it names), or
// a TF.js graph model (a folder with model.json, or model.json itself). The files are validated by loading them, identified by digest when known,
// and copied into models_dir()/<name> through a temporary folder and a rename.
// `name` may be empty for known models. `force` replaces an installed model.
Result<InstalledModel> import_model(const std::string& path, const std::string& name, bool force);

}  // namespace toonbox
