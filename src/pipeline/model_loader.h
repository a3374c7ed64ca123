// Resolves --model into a graph and its pixel contract: an installed model's name, a path
// to a model file (identified by digest when the registry knows it), the built-in style,
// or (no --model) the best installed cartoon model with the built-in style as the
// fallback that needs no weights.
#pragma once

#include <string>

#include "models/model_resolver.h"
#include "models/registry.h"
#include "pipeline/model_runner.h"

namespace toonbox::pipeline {

// `spec` empty means "default". `note` receives a line for the user when a default
// was chosen (e.g. "no neural model installed: using the built-in 'classic' style").
// `flags` are command-line overrides of the contract (--channels); they apply to known
// models too, with the contract line saying so.
Result<ModelSource> load_model_source(const std::string& spec, std::string* note,
                                      const models::ContractOverrides& flags = {});

// A resolved model (models/model_resolver.h) imported, with its contract. Face detectors
// are refused: they are not styles.
Result<ModelSource> model_source_from(const models::ResolvedModel& model,
                                      const models::ContractOverrides& flags = {});

}  // namespace toonbox::pipeline
