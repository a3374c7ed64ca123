// Parsing of what a client sends before the body: the request line, the header fields and
// the query string. Strict on purpose, because every leniency is a way for two parsers
// (a proxy's and ours) to disagree about where a request ends (request smuggling): CRLF
// line ends only, no folded lines, no space before a colon, one Content-Length of digits
// only, and a Transfer-Encoding is reported so the server can refuse it. Pure functions
// over bytes, fuzzed by fuzz/http_head_fuzz.cc and fuzz/query_fuzz.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http_message.h"

namespace toonbox::server {

struct HeadLimits {
  size_t max_request_line = 8192;
  size_t max_head_bytes = 16384;  // request line + headers
  size_t max_header_count = 100;
};

// What the framing of the body depends on, from the headers.
struct BodyFraming {
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  bool expect_continue = false;
  bool connection_close = false;  // "Connection: close", or HTTP/1.0 without keep-alive
};

struct HeadError {
  int status = 0;  // 0: parsed; else the HTTP status to answer (400, 414, 431, 501, 505)
  std::string message;
};

// Where the head ends in `buffer`: the offset just past "\r\n\r\n", or 0 when not there
// yet. Leading empty lines before a request line are not accepted (they would let a
// stray CRLF after a body shift the framing of the next request).
size_t find_head_end(std::string_view buffer);

// Parses a head (everything up to and including the blank line) into `req` (method,
// target, path, version, headers, params) and `framing`.
HeadError parse_request_head(std::string_view head, const HeadLimits& limits, Request* req,
                             BodyFraming* framing);

// Helpers shared with the multipart parser: optional whitespace (space, tab) trimmed;
// ASCII case-insensitive equality.
std::string_view trim_ows(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// Percent-decoding; `plus_is_space` for query strings. False for a bad %-escape or a
// decoded NUL byte.
bool url_decode(std::string_view in, bool plus_is_space, std::string* out);

// "a=1&b=x%20y&c" into params (c = ""). False (and a message) for a malformed escape or
// more than `max_params` parameters.
bool parse_query_string(std::string_view query, Params* params, std::string* error,
                        size_t max_params = 100);

}  // namespace toonbox::server
