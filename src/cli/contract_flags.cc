#include "cli/contract_flags.h"

namespace toonbox::cli {

Result<models::ContractOverrides> parse_contract_flags(const ParsedArgs& a) {
  models::ContractOverrides o;
  auto with_flag = [](const char* flag, const Status& s) { return invalid_argument(std::string(flag) + ": " + s.message()); };
  if (a.has("--layout")) {
    auto v = models::parse_layout(a.get("--layout"));
    if (!v.is_ok()) return with_flag("--layout", v.status());
    o.layout = *v;
  }
  if (a.has("--channels")) {
    auto v = models::parse_channel_order(a.get("--channels"));
    if (!v.is_ok()) return with_flag("--channels", v.status());
    o.channels = *v;
  }
  for (const char* flag : {"--range", "--input-range"}) {
    if (!a.has(flag)) continue;
    auto v = models::parse_value_range(a.get(flag));
    if (!v.is_ok()) return with_flag(flag, v.status());
    (std::string(flag) == "--range" ? o.output_range : o.input_range) = *v;
  }
  if (a.has("--multiple")) {
    const std::string s = a.get("--multiple");
    size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(s, &used);
    } catch (...) {
      used = 0;
    }
    if (used != s.size() || v < 1 || v > 1024) return invalid_argument("--multiple must be an integer 1..1024");
    o.size_multiple = v;
  }
  if (a.has("--mask-convention")) {
    auto v = models::parse_mask_convention(a.get("--mask-convention"));
    if (!v.is_ok()) return with_flag("--mask-convention", v.status());
    o.mask = *v;
  }
  return o;
}

}  // namespace toonbox::cli
