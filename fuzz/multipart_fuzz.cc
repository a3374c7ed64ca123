// multipart/form-data bodies. The first line of the input is the Content-Type (so the
// boundary parameter is fuzzed too), the rest the body. Parts must lie inside the body,
// and their count is capped.
#include "fuzz_util.h"
#include "server/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t eol = in.find('\n');
  const std::string_view type = in.substr(0, eol);
  const std::string_view body = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
  toonbox::server::MultipartLimits limits;
  toonbox::server::FormParts parts;
  const toonbox::Status s = toonbox::server::parse_multipart(type, body, limits, &parts);
  if (!s.is_ok()) {
    TOONBOX_FUZZ_CHECK(!s.message().empty());
    return 0;
  }
  TOONBOX_FUZZ_CHECK(parts.size() <= limits.max_parts);
  size_t total = 0;
  for (const auto& [name, part] : parts) total += part.content.size();
  TOONBOX_FUZZ_CHECK(total <= body.size());
  return 0;
}
