#include "cli/args.h"

namespace toonbox::cli {

Result<ParsedArgs> parse_args(const std::vector<std::string>& argv,
                              const std::vector<ArgSpec>& spec) {
  ParsedArgs out;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string name = a, inline_value;
    bool has_inline = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
      has_inline = true;
    }
    const ArgSpec* match = nullptr;
    for (const ArgSpec& s : spec)
      if (s.name == name || (!s.short_name.empty() && s.short_name == name)) match = &s;
    if (!match) return invalid_argument("unknown option '" + name + "' (see --help)");
    if (!match->takes_value) {
      if (has_inline) return invalid_argument("option " + match->name + " takes no value");
      out.flags.insert(match->name);
      continue;
    }
    if (!has_inline) {
      if (i + 1 >= argv.size()) return invalid_argument("option " + match->name + " needs a value");
      inline_value = argv[++i];
    }
    if (match->positional_alias) {
      out.positional.push_back(inline_value);
    } else {
      out.options[match->name] = inline_value;
    }
  }
  return out;
}

}  // namespace toonbox::cli
