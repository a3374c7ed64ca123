// errno -> Status, so file errors say both what we tried and what the OS answered.
#pragma once

#include <string>

#include "core/status.h"

namespace toonbox::image {

// "<what>: <strerror(err)>", with a code that tells callers whether retrying or fixing the
// input could help (ENOENT -> kNotFound, ENOSPC -> kResourceExhausted, ...).
Status posix_error(int err, const std::string& what);

}  // namespace toonbox::image
