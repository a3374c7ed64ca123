// One URL into one file, resumably: the downloader under `toonbox models download`. A
// `.part` file that exists is continued with an HTTP Range request (a server that ignores
// Range and sends the whole file restarts it from byte 0); bytes already received stay in
// the `.part` when the connection breaks, so the next run resumes there. The size is
// capped, errors name the URL and the problem (HTTP status, connection refused, timeout).
// Digests are the caller's job (model_download.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"

namespace toonbox::models {

struct HttpDownloadOptions {
  int64_t expected_size = 0;  // > 0: exactly this many bytes (more, or a Content-Length that differs, is an error)
  int64_t max_bytes = int64_t{4} << 30;  // the cap when the size is not known
  int connect_timeout_s = 30;
  int read_timeout_s = 60;  // without a byte received
  // Bytes in the .part so far and the total (0 when unknown), after each received block.
  std::function<void(int64_t done, int64_t total)> progress;
  std::function<void(const std::string& line)> note;  // "resuming at N bytes", "restarting"
};

// http:// and https:// only; redirects followed (GitHub and Hugging Face redirect to CDNs).
Status http_download(const std::string& url, const std::string& part_path, const HttpDownloadOptions& options);

// "https://host:port" and "/path?query" of a URL; an error for anything else.
struct UrlParts {
  std::string origin;
  std::string path;
};
Result<UrlParts> split_url(const std::string& url);

}  // namespace toonbox::models
