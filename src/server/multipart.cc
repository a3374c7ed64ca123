#include "server/multipart.h"

#include "server/http_parse.h"

namespace toonbox::server {

namespace {

// The value of parameter `key` in "type; a=1; b=\"x y\"" (quoted strings unescaped);
// false when absent or malformed.
bool header_param(std::string_view value, std::string_view key, std::string* out) {
  size_t semi = value.find(';');
  while (semi != std::string_view::npos) {
    value.remove_prefix(semi + 1);
    value = trim_ows(value);
    const size_t eq = value.find('=');
    if (eq == std::string_view::npos) return false;
    const std::string_view name = trim_ows(value.substr(0, eq));
    std::string_view rest = value.substr(eq + 1);
    std::string parsed;
    size_t consumed = 0;
    if (!rest.empty() && rest[0] == '"') {
      size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        parsed.push_back(rest[i]);
      }
      if (i >= rest.size()) return false;  // unterminated quote
      consumed = i + 1;
    } else {
      consumed = rest.find(';');
      if (consumed == std::string_view::npos) consumed = rest.size();
      parsed.assign(trim_ows(rest.substr(0, consumed)));
    }
    if (iequals(name, key)) {
      *out = std::move(parsed);
      return true;
    }
    value = rest.substr(consumed);
    semi = value.find(';');
  }
  return false;
}

// The next "CRLF--boundary" at or after `from` that is a delimiter line: followed by "--"
// (the close delimiter), or by optional spaces and CRLF. The same bytes followed by
// anything else are content.
size_t find_delimiter(std::string_view body, const std::string& delimiter, size_t from) {
  for (size_t at = body.find(delimiter, from); at != std::string_view::npos; at = body.find(delimiter, at + 1)) {
    std::string_view after = body.substr(at + delimiter.size());
    if (after.substr(0, 2) == "--") return at;
    while (!after.empty() && (after.front() == ' ' || after.front() == '\t')) after.remove_prefix(1);
    if (after.substr(0, 2) == "\r\n") return at;
  }
  return std::string_view::npos;
}

Status bad(const std::string& what) { return invalid_argument("malformed multipart body: " + what); }

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  std::string boundary;
  if (!header_param(content_type, "boundary", &boundary)) return "";
  if (boundary.empty() || boundary.size() > 70) return "";
  return boundary;
}

Status parse_multipart(std::string_view content_type, std::string_view body, const MultipartLimits& limits,
                       FormParts* parts) {
  const std::string boundary = multipart_boundary(content_type);
  if (boundary.empty()) return bad("no valid boundary in the Content-Type");
  const std::string delimiter = "--" + boundary;
  const std::string next_delimiter = "\r\n" + delimiter;

  // The first delimiter starts the body or follows a preamble ending in CRLF.
  size_t pos = 0;
  if (body.substr(0, delimiter.size()) != delimiter) {
    pos = body.find(next_delimiter);
    if (pos == std::string_view::npos) return bad("the boundary does not occur");
    pos += 2;
  }
  pos += delimiter.size();
  size_t count = 0;
  for (;;) {
    std::string_view rest = body.substr(pos);
    if (rest.substr(0, 2) == "--") return Status::ok();  // the close delimiter; the epilogue is ignored
    // Transport padding after a delimiter, then CRLF.
    size_t i = 0;
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
    if (rest.substr(i, 2) != "\r\n") return bad("a boundary is not followed by CRLF");
    pos += i + 2;
    if (++count > limits.max_parts)
      return bad("more than " + std::to_string(limits.max_parts) + " parts");

    const std::string_view after = body.substr(pos);
    const size_t head_end = after.find("\r\n\r\n");
    // A part with no header lines at all starts with the blank line directly.
    const bool no_headers = after.substr(0, 2) == "\r\n";
    const size_t head_len = no_headers ? 0 : head_end;
    if (!no_headers && head_end == std::string_view::npos) return bad("a part's headers do not end");
    if (head_len > limits.max_part_head_bytes) return bad("a part's headers are too long");
    FormPart part;
    bool has_disposition = false;
    std::string_view head = after.substr(0, head_len);
    while (!head.empty()) {
      const size_t eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return bad("a part's header line has no name");
      const std::string_view name = trim_ows(line.substr(0, colon));
      const std::string_view value = trim_ows(line.substr(colon + 1));
      if (iequals(name, "Content-Disposition")) {
        const std::string_view type = trim_ows(value.substr(0, value.find(';')));
        if (!iequals(type, "form-data")) return bad("a part is not form-data");
        if (!header_param(value, "name", &part.name)) return bad("a part has no field name");
        header_param(value, "filename", &part.filename);
        has_disposition = true;
      } else if (iequals(name, "Content-Type")) {
        part.content_type.assign(value);
      }
    }
    if (!has_disposition) return bad("a part has no Content-Disposition");
    pos += no_headers ? 2 : head_end + 4;

    const size_t end = find_delimiter(body, next_delimiter, pos);
    if (end == std::string_view::npos) return bad("the last part is not closed by the boundary");
    part.content.assign(body.substr(pos, end - pos));
    std::string key = part.name;
    parts->emplace(std::move(key), std::move(part));
    pos = end + next_delimiter.size();
  }
}

}  // namespace toonbox::server
