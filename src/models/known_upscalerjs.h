// The UpscalerJS upscalers (npm @upscalerjs/esrgan-slim, -medium, -thick 1.0.0, MIT):
// TF.js layers models, each package with x2, x3, x4 and x8. @upscalerjs/default-model's
// files are byte-identical to esrgan-slim's x2, so it is identified as esrgan-slim-x2.
#pragma once

#include <vector>

#include "models/registry.h"

namespace toonbox::models {

std::vector<KnownModel> upscalerjs_known_models();

}  // namespace toonbox::models
