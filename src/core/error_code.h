// The machine-readable code every front end reports the same way for a Status: the HTTP
// API's error.code, the CLI's and folder reports' "code", bench's error_code (issue 20:
// a corrupt file was "invalid argument" in folders and corrupt_image in the API).
#pragma once

#include "core/status.h"

namespace toonbox {

// Stable words: "invalid_argument", "corrupt_image" (a corrupt or unreadable file),
// "not_found", "too_large" (a limit), "not_implemented", "out_of_memory", "unavailable",
// "internal" ("ok" for kOk).
const char* error_code(StatusCode code);

}  // namespace toonbox
