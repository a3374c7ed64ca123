// Query strings and percent-decoding, then the cartoonize parameter parser on what they
// give (unknown names and bad values must be refused with a message, never accepted).
#include "fuzz_util.h"
#include "server/http_parse.h"
#include "server/request_params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace srv = toonbox::server;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  srv::Params params;
  std::string error;
  if (!srv::parse_query_string(in, &params, &error)) {
    TOONBOX_FUZZ_CHECK(!error.empty());
    return 0;
  }
  TOONBOX_FUZZ_CHECK(params.size() <= 100);
  srv::Fields fields(params.begin(), params.end());
  auto p = srv::parse_cartoonize_params(fields);
  if (p.is_ok()) {
    TOONBOX_FUZZ_CHECK(p->strength >= 0.f && p->strength <= 1.f);
    TOONBOX_FUZZ_CHECK(p->long_side >= 0 && p->long_side <= srv::kMaxLongSide);
    TOONBOX_FUZZ_CHECK(p->quality >= 1 && p->quality <= 100);
    TOONBOX_FUZZ_CHECK(p->model.find('/') == std::string::npos && p->model.find("..") == std::string::npos);
  }
  return 0;
}
