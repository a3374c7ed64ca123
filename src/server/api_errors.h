// How errors reach HTTP clients: one JSON shape for every failure,
//   {"error": {"status": 413, "code": "too_large", "message": "plain words"}}
// and one mapping from toonbox's StatusCode to HTTP statuses.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "core/status.h"

namespace toonbox::server {

struct Response;

// 400 invalid argument / corrupt image, 404 not found, 413 a limit, 501 unimplemented,
// 503 out of (device) memory or unavailable, 500 otherwise.
int http_status_for(const Status& status);

// A short machine-readable code for the error object ("invalid_argument", ...).
const char* error_code_for(const Status& status);

// Serializes without throwing: invalid UTF-8 (from a client's file name, say) becomes U+FFFD.
using toonbox::json_text;

// Writes the JSON error body (and nothing else) into `res`.
void set_error(Response& res, int http_status, const std::string& code,
               const std::string& message);
void set_error(Response& res, const Status& status);

}  // namespace toonbox::server
