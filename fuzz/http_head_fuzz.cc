// The request-head parser (request line, header fields, framing). What it accepts must
// be unambiguous: one Content-Length of digits, never together with Transfer-Encoding.
#include "fuzz_util.h"
#include "server/http_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace srv = toonbox::server;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t end = srv::find_head_end(in);
  const std::string_view head = end ? in.substr(0, end) : in;
  srv::Request req;
  srv::BodyFraming framing;
  const srv::HeadError e = srv::parse_request_head(head, srv::HeadLimits{}, &req, &framing);
  if (e.status != 0) {
    TOONBOX_FUZZ_CHECK(e.status >= 400 && e.status < 600 && !e.message.empty());
    return 0;
  }
  TOONBOX_FUZZ_CHECK(!(framing.has_content_length && framing.has_transfer_encoding));
  TOONBOX_FUZZ_CHECK(!req.path.empty() && req.path[0] == '/');
  TOONBOX_FUZZ_CHECK(req.headers.count("Content-Length") <= 1 && req.headers.count("Host") <= 1);
  for (const auto& [k, v] : req.headers) TOONBOX_FUZZ_CHECK(v.find_first_of("\r\n") == std::string::npos);
  return 0;
}
