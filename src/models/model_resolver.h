// One way from what a user typed (--model, --head-model, `run --model`, `models info`,
// a server request's model name) to a model file and its contract. The pipeline, `run`,
// `models info` and the server all resolve through here, so a name or path means the same
// everywhere and a known model is recognised by its digests however it is reached.
#pragma once

#include <string>

#include "core/status.h"
#include "graph/graph.h"
#include "models/model_contract.h"
#include "models/registry.h"

namespace toonbox::models {

struct ResolvedModel {
  std::string name;         // the installed or registry name; the path for an unknown file
  std::string entry_path;   // the file the importer opens
  std::string weights_path; // ncnn: the .bin; empty otherwise
  std::string format;       // "onnx", "tfjs" or "ncnn"
  std::string description;
  std::string licence;
  ModelRole role = ModelRole::kStyle;
  const KnownModel* known = nullptr;  // identified by the digests of all its files
  bool installed = false;             // found in models_dir() by name
  ContractOverrides recorded;         // what `models import` recorded for an unknown model

  import::ModelFile file() const {return import::ModelFile{format, entry_path, weights_path};
}
};  // namespace toonbox::models

// `spec` is an installed model's name or a path (a .onnx file, a TF.js model.json or its
// folder, an ncnn .param/.param.bin with `weights` or the weights found beside it). A path
// is identified by digest, so `--model path/to/whitebox` gets White-box's contract. Never
// returns the built-in style (the pipeline handles 'classic' itself).
Result<ResolvedModel> resolve_model(const std::string& spec, const std::string& weights = "");

// An installed model by name only, never a path: for names that come from clients (the
// server), which must not make toonbox open files of their choice.
Result<ResolvedModel> resolve_installed_model(const std::string& name);

// The contract for images of this model. A known model's is the registry's; an unknown
// model's is read off its graph (layout from the input's fixed dims, output range from
// the last op: Tanh [-1,1], Sigmoid [0,1], Clip [lo,hi], else `fallback_range`; the input
// range follows the output's; RGB; `default_multiple`), then what the manifest recorded,
// then `flags` (command-line overrides, which also apply to known models). `how` gets one
// line saying where each part came from.
struct ContractDefaults {
  ValueRange fallback_range{-1.f, 1.f};
  int default_multiple = 16;
  bool inpainter = false;  // image + mask inputs, or one 4-channel input
};
// What `toonbox inpaint` and `models info` assume of an unknown inpainter: [0,1] when the
// range is not detectable, multiple of 8 (LaMa's three stride-2 levels).
ContractDefaults inpainter_contract_defaults();
Result<ImageContract> model_contract(const ResolvedModel& model, const graph::Graph& graph,
                                     const ContractOverrides& flags,
                                     const ContractDefaults& defaults, std::string* how);

}  // namespace toonbox::models
