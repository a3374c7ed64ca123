#include "core/error_code.h"

namespace toonbox {

const char* error_code(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kDataLoss: return "corrupt_image";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kResourceExhausted: return "too_large";
    case StatusCode::kUnimplemented: return "not_implemented";
    case StatusCode::kOutOfMemory: return "out_of_memory";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace toonbox
