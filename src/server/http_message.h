// The HTTP request and response as toonbox's handlers see them. The member names follow
// cpp-httplib's (req.files, req.params, res.set_content, ...), which the routes were first
// written against, so handler code reads the same; the server that fills them is
// toonbox's own (http_server.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace toonbox::server {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;
using Params = std::multimap<std::string, std::string>;

// One part of a multipart/form-data body.
struct FormPart {
  std::string name;
  std::string filename;      // "" for plain fields
  std::string content_type;  // "" when the part has none
  std::string content;
};
using FormParts = std::multimap<std::string, FormPart>;

struct Request {
  std::string method;   // "GET", "POST", ... (HEAD is routed as GET)
  std::string target;   // as sent: "/api/v1/cartoonize?x=1"
  std::string path;     // percent-decoded, without the query
  std::string version;  // "HTTP/1.1" or "HTTP/1.0"
  Headers headers;
  Params params;        // from the query string
  std::string body;
  FormParts files;      // the parts of a multipart/form-data body
  std::vector<std::string> matches;  // the route's regex groups; [0] is the whole path

  bool has_header(const std::string& name) const { return headers.count(name) > 0; }
  // The first value, "" when absent.
  std::string get_header_value(const std::string& name) const;
  bool has_param(const std::string& name) const { return params.count(name) > 0; }
  std::string get_param_value(const std::string& name) const;
  bool is_multipart_form_data() const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // Replaces any earlier value. Values with CR or LF are dropped (header injection).
  void set_header(const std::string& name, const std::string& value);
  std::string get_header_value(const std::string& name) const;
  bool has_header(const std::string& name) const { return headers.count(name) > 0; }
  void set_content(const char* data, size_t size, const std::string& content_type);
  void set_content(const std::string& body, const std::string& content_type);
  void set_redirect(const std::string& location, int status = 302);
};

// "OK", "Not Found", ... ("" for codes it does not know).
const char* status_reason(int status);

}  // namespace toonbox::server
