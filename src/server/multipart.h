// multipart/form-data bodies (RFC 7578). The body has been read whole by its
// Content-Length before this runs, so a malformed or hostile body can fail this request
// only: it cannot change where the next request on the connection starts. Limits on the
// number of parts and the size of each part's headers keep a body of many tiny parts from
// costing more than its size. Fuzzed by fuzz/multipart_fuzz.cc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http_message.h"

namespace toonbox::server {

struct MultipartLimits {
  size_t max_parts = 256;  // a job takes 64 images plus a few fields
  size_t max_part_head_bytes = 8192;
};

// The boundary parameter of a Content-Type ("multipart/form-data; boundary=xyz"), quoted
// or not; "" when absent or not 1..70 characters.
std::string multipart_boundary(std::string_view content_type);

// Parses `body` into `parts` (keyed by field name). kInvalidArgument says what is wrong.
Status parse_multipart(std::string_view content_type, std::string_view body, const MultipartLimits& limits,
                       FormParts* parts);

}  // namespace toonbox::server
