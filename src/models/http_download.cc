#include "models/http_download.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <httplib.h>

namespace toonbox::models {

namespace {

std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "cannot connect (connection refused or host unreachable)";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "the connection broke or timed out while receiving";
    case httplib::Error::Write: return "the connection broke while sending the request";
    case httplib::Error::ExceedRedirectCount: return "too many redirects";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "cannot load the system's CA certificates";
    case httplib::Error::SSLServerVerification: return "the server's TLS certificate did not verify";
    case httplib::Error::Compression: return "bad compressed response";
    default: return "request failed (" + httplib::to_string(e) + ")";
  }
}

std::string mb(int64_t bytes) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return s;
}

// "bytes START-END/TOTAL" -> START, or -1.
int64_t content_range_start(const std::string& v) {
  long long start = -1;
  if (std::sscanf(v.c_str(), "bytes %lld-", &start) != 1) return -1;
  return start;
}

}  // namespace

Result<UrlParts> split_url(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return invalid_argument(url + ": not an http(s) URL");
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https")
    return invalid_argument(url + ": only http:// and https:// URLs can be downloaded");
  const size_t path_start = url.find('/', scheme_end + 3);
  UrlParts p;
  p.origin = url.substr(0, path_start);
  p.path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (p.origin.size() <= scheme_end + 3) return invalid_argument(url + ": no host");
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return invalid_argument("a URL with spaces or control characters");
  return p;
}

Status http_download(const std::string& url, const std::string& part_path, const HttpDownloadOptions& options) {
  TB_ASSIGN_OR_RETURN(UrlParts parts, split_url(url));
  const int64_t limit = options.expected_size > 0 ? options.expected_size : options.max_bytes;
  std::error_code ec;
  int64_t have = std::filesystem::exists(part_path, ec) ? static_cast<int64_t>(std::filesystem::file_size(part_path, ec)) : 0;
  if (ec) have = 0;
  if (have > limit) {  // not a prefix of this file: start again
    std::filesystem::remove(part_path, ec);
    have = 0;
  }
  if (options.expected_size > 0 && have == options.expected_size) return Status::ok();  // complete; the digest decides
  if (have > 0 && options.note) options.note("resuming at " + mb(have) + " (" + std::to_string(have) + " bytes)");

  httplib::Client client(parts.origin);
  client.set_follow_location(true);
  client.set_connection_timeout(options.connect_timeout_s, 0);
  client.set_read_timeout(options.read_timeout_s, 0);
  // Byte offsets must be the file's: no transparent compression.
  client.set_decompress(false);
  httplib::Headers headers = {{"Accept-Encoding", "identity"}, {"User-Agent", "toonbox-models-download"}};
  if (have > 0) headers.insert(httplib::make_range_header({{static_cast<ssize_t>(have), -1}}));

  int fd = -1;
  int64_t written = have, total = options.expected_size;
  int status = 0;
  bool complete = false;
  std::string problem;  // why a handler stopped the transfer
  auto on_response = [&](const httplib::Response& r) {
    status = r.status;
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
    if (r.status == 206 && have > 0) {
      const int64_t start = content_range_start(r.get_header_value("Content-Range"));
      if (start != have) {
        problem = "asked for bytes from " + std::to_string(have) + ", got a range starting at " + std::to_string(start);
        return false;
      }
      flags |= O_APPEND;
    } else if (r.status == 200) {
      if (have > 0 && options.note) options.note("the server ignored the Range request: restarting from byte 0");
      written = 0;
      flags |= O_TRUNC;
    } else if (r.status == 416 && have > 0 &&
               r.get_header_value("Content-Range") == "bytes */" + std::to_string(have)) {
      complete = true;  // the .part already holds the whole file (its size was not known)
      return false;
    } else {
      problem = "HTTP " + std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason);
      return false;
    }
    if (r.has_header("Content-Length")) {
      const int64_t length = std::atoll(r.get_header_value("Content-Length").c_str());
      const int64_t announced = written + length;
      if (options.expected_size > 0 && announced != options.expected_size) {
        problem = "the server announces " + std::to_string(announced) + " bytes; the registry's file has " +
                  std::to_string(options.expected_size);
        return false;
      }
      if (announced > limit) {
        problem = "the server announces " + std::to_string(announced) + " bytes, over the limit of " + std::to_string(limit);
        return false;
      }
      total = announced;
    }
    fd = ::open(part_path.c_str(), flags, 0644);
    if (fd < 0) {
      problem = part_path + ": cannot write: " + std::strerror(errno);
      return false;
    }
    return true;
  };
  auto last_activity = std::chrono::steady_clock::now();
  auto on_data = [&](const char* data, size_t n) {
    last_activity = std::chrono::steady_clock::now();
    if (written + static_cast<int64_t>(n) > limit) {
      problem = "more than " + std::to_string(limit) + " bytes (the " +
                std::string(options.expected_size > 0 ? "registry's size" : "download limit") + ")";
      return false;
    }
    for (size_t off = 0; off < n;) {
      const ssize_t w = ::write(fd, data + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        problem = part_path + ": write failed: " + std::strerror(errno);
        return false;
      }
      off += static_cast<size_t>(w);
    }
    written += static_cast<int64_t>(n);
    if (options.progress) options.progress(written, total);
    return true;
  };
  auto result = client.Get(parts.path, headers, on_response, on_data);
  if (fd >= 0) {
    // The bytes received are kept for the next run whatever happened; fsync so a crash
    // does not leave a .part whose length claims bytes the disk never got.
    ::fsync(fd);
    ::close(fd);
  }
  const std::string kept = written > 0 ? "; " + std::to_string(written) + " bytes kept in " + part_path +
                                             ", run again to resume"
                                       : "";
  if (complete) return Status::ok();
  if (!problem.empty()) {
    const StatusCode code = status == 404 || status == 410 ? StatusCode::kNotFound : StatusCode::kUnavailable;
    return Status(code, url + ": " + problem + (status == 200 || status == 206 ? kept : ""));
  }
  if (!result) {
    // httplib reports a read timeout as a read error: the silence says which it was.
    const auto silent = std::chrono::steady_clock::now() - last_activity;
    if (result.error() == httplib::Error::Read && silent >= std::chrono::seconds(options.read_timeout_s))
      return unavailable(url + ": timed out: no data for " + std::to_string(options.read_timeout_s) + " s" + kept);
    return unavailable(url + ": " + describe(result.error()) + kept);
  }
  if (total > 0 && written != total)
    return unavailable(url + ": the transfer ended at " + std::to_string(written) + " of " + std::to_string(total) + " bytes" + kept);
  return Status::ok();
}

}  // namespace toonbox::models
