// Resolves --model into a graph: a path to a TF.js model, an installed model's name,
// the built-in style, or (no --model) the best installed cartoon model with the
// built-in style as the fallback that needs no weights.
#pragma once

#include <string>

#include "pipeline/cartoonizer.h"

namespace toonbox {

// `spec` empty means "default". `note` receives a line for the user when a default
// was chosen (e.g. "no neural model installed: using the built-in 'classic' style").
Result<ModelSource> load_model_source(const std::string& spec, std::string* note);

}  // namespace toonbox
