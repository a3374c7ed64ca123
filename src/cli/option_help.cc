#include "cli/option_help.h"

#include <CLI/CLI.hpp>

namespace toonbox::cli {

namespace {

// The text starts at column 25, where the hand-written help texts had it.
constexpr size_t kColumn = 25;

}  // namespace

std::string option_list(const std::vector<ArgSpec>& spec) {
  CLI::App app;
  app.set_help_flag();
  CLI::Formatter formatter;
  formatter.column_width(kColumn);
  std::string out;
  for (const ArgSpec& s : spec) {
    if (s.help.empty()) continue;
    const std::string names = s.short_name.empty() ? s.name : s.short_name + "," + s.name;
    try {
      CLI::Option* o = s.takes_value ? app.add_option(names, s.help) : app.add_flag(names)->description(s.help);
      if (s.takes_value) o->type_name(s.value_name.empty() ? "VALUE" : s.value_name);
      out += formatter.make_option(o, false);
    } catch (const CLI::Error& e) {
      // A table's own mistake (parse_args reports it too): the entry is named, not lost.
      out += "  " + s.name + "  (not listed: " + e.what() + ")\n";
    }
  }
  return out;
}

}  // namespace toonbox::cli
