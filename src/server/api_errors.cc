#include "server/api_errors.h"

#include "core/error_code.h"
#include "server/http_message.h"

namespace toonbox::server {

int http_status_for(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kDataLoss: return 400;  // a corrupt or truncated upload is the client's
    case StatusCode::kNotFound: return 404;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kOutOfMemory: return 503;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

const char* error_code_for(const Status& status) { return error_code(status.code()); }


void set_error(Response& res, int http_status, const std::string& code,
               const std::string& message) {
  res.status = http_status;
  nlohmann::json j = {{"error", {{"status", http_status}, {"code", code}, {"message", message}}}};
  res.set_content(json_text(j), "application/json");
}

void set_error(Response& res, const Status& status) {
  set_error(res, http_status_for(status), error_code_for(status), status.message());
}

}  // namespace toonbox::server
