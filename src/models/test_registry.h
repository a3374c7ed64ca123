// A test hook, like TOONBOX_TEST_DEVICE_FAULTS: $TOONBOX_TEST_KNOWN_MODELS names a JSON file
// of extra registry entries with their download sources, so the download tests install
// small generated models end to end (digests known, a licence to accept, URLs on a local
// server) without real weights. Not for users: such entries are marked "(test registry)"
// in their description. Format (docs/models.md):
//   {"models": [{"name": "tiny", "format": "ncnn", "entry": "tiny.param",
//                "licence": "...", "description": "...",
//                "files": [{"file": "tiny.param", "sha256": "<64 hex>",
//                           "url": "http://...", "size": 123}, ...]}]}
// A malformed file is reported on stderr once and contributes nothing.
#pragma once

#include <vector>

#include "models/model_sources.h"
#include "models/registry.h"

namespace toonbox::models {

const std::vector<KnownModel>& test_registry_known_models();
const std::vector<ModelSource>& test_registry_sources();

}  // namespace toonbox::models
