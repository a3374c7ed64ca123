#include "server/http_parse.h"

#include <strings.h>

#include <algorithm>

namespace toonbox::server {

namespace {

// RFC 9110 token characters (method, header names).
bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// Field values: visible characters, space, tab and obs-text; no other control bytes.
bool is_field_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

// Characters allowed in a request target (RFC 3986 plus '%'); rejects spaces, controls,
// '#', and anything non-ASCII.
bool is_target_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' && c != '`' && c != '{' && c != '|' &&
         c != '}' && c != '#';
}

// Whether a comma-separated header value lists `token` (Connection: keep-alive, close).
bool lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (iequals(trim_ows(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

HeadError fail(int status, std::string message) { return HeadError{status, std::move(message)}; }

}  // namespace

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

size_t find_head_end(std::string_view buffer) {
  const size_t pos = buffer.find("\r\n\r\n");
  return pos == std::string_view::npos ? 0 : pos + 4;
}

bool url_decode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return false;
      out->push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool parse_query_string(std::string_view query, Params* params, std::string* error, size_t max_params) {
  size_t count = 0;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (++count > max_params) {
      *error = "more than " + std::to_string(max_params) + " query parameters";
      return false;
    }
    const size_t eq = pair.find('=');
    std::string key, value;
    if (!url_decode(pair.substr(0, eq), true, &key) ||
        (eq != std::string_view::npos && !url_decode(pair.substr(eq + 1), true, &value))) {
      *error = "malformed percent-escape in the query string";
      return false;
    }
    params->emplace(std::move(key), std::move(value));
  }
  return true;
}

HeadError parse_request_head(std::string_view head, const HeadLimits& limits, Request* req,
                             BodyFraming* framing) {
  *framing = BodyFraming{};
  if (head.size() > limits.max_head_bytes)
    return fail(431, "the request's headers are over " + std::to_string(limits.max_head_bytes / 1024) + " KiB");
  if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n") return fail(400, "the request head does not end with an empty line");
  head.remove_suffix(2);  // keep one CRLF: every line, the request line included, ends in CRLF

  // Request line: METHOD SP target SP HTTP/1.x
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  if (line.size() > limits.max_request_line) return fail(414, "the request line is too long");
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, "malformed request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || method.size() > 16 || !std::all_of(method.begin(), method.end(), [](unsigned char c) {
        return c >= 'A' && c <= 'Z';
      }))
    return fail(400, "malformed request method");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    if (version.substr(0, 5) == "HTTP/") return fail(505, "only HTTP/1.0 and HTTP/1.1 are served");
    return fail(400, "malformed request line");
  }
  if (target.empty() || target[0] != '/' ||
      !std::all_of(target.begin(), target.end(), [](unsigned char c) { return is_target_char(c); }))
    return fail(400, "malformed request target (an absolute path is expected)");
  req->method.assign(method);
  req->target.assign(target);
  req->version.assign(version);
  const size_t q = target.find('?');
  if (!url_decode(target.substr(0, q), false, &req->path)) return fail(400, "malformed percent-escape in the path");
  if (q != std::string_view::npos) {
    std::string error;
    if (!parse_query_string(target.substr(q + 1), &req->params, &error)) return fail(400, error);
  }

  // Header fields.
  bool keep_alive_token = false, close_token = false;
  size_t count = 0;
  std::string_view rest = head.substr(line_end + 2);
  while (!rest.empty()) {
    const size_t end = rest.find("\r\n");
    if (end == std::string_view::npos) return fail(400, "malformed header line");
    const std::string_view field = rest.substr(0, end);
    rest.remove_prefix(end + 2);
    if (++count > limits.max_header_count)
      return fail(431, "more than " + std::to_string(limits.max_header_count) + " header fields");
    if (field.empty()) return fail(400, "malformed header line");
    if (field[0] == ' ' || field[0] == '\t') return fail(400, "folded header lines are not accepted");
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header line (no name)");
    const std::string_view name = field.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), [](unsigned char c) { return is_tchar(c); }))
      return fail(400, "malformed header name");  // includes "Name :" (space before colon)
    const std::string_view raw = field.substr(colon + 1);
    if (!std::all_of(raw.begin(), raw.end(), [](unsigned char c) { return is_field_char(c); }))
      return fail(400, "control characters in a header value");
    const std::string_view value = trim_ows(raw);

    if (iequals(name, "Content-Length")) {
      if (framing->has_content_length) return fail(400, "more than one Content-Length");
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
        return fail(400, "malformed Content-Length");
      uint64_t n = 0;
      for (char c : value) n = n * 10 + static_cast<uint64_t>(c - '0');
      framing->has_content_length = true;
      framing->content_length = n;
    } else if (iequals(name, "Transfer-Encoding")) {
      framing->has_transfer_encoding = true;
    } else if (iequals(name, "Host")) {
      if (req->has_header("Host")) return fail(400, "more than one Host header");
    } else if (iequals(name, "Expect")) {
      if (!iequals(value, "100-continue")) return fail(400, "unsupported Expect header (only 100-continue)");
      framing->expect_continue = true;
    } else if (iequals(name, "Connection")) {
      keep_alive_token = keep_alive_token || lists_token(value, "keep-alive");
      close_token = close_token || lists_token(value, "close");
    }
    req->headers.emplace(std::string(name), std::string(value));
  }
  if (framing->has_transfer_encoding && framing->has_content_length)
    return fail(400, "both Transfer-Encoding and Content-Length");
  framing->connection_close = close_token || (req->version == "HTTP/1.0" && !keep_alive_token);
  return HeadError{};
}

}  // namespace toonbox::server
