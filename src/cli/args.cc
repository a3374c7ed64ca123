#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <unordered_map>

#include "cli/suggest.h"

namespace toonbox::cli {

namespace {

// CLI11 names an option "-o,--output"; ours keep the long name first as the key.
std::string cli11_names(const ArgSpec& s) {
  return s.short_name.empty() ? s.name : s.short_name + "," + s.name;
}

// Every spelling the table accepts, for suggestions.
std::vector<std::string> spellings(const std::vector<ArgSpec>& spec) {
  std::vector<std::string> out;
  for (const ArgSpec& s : spec) out.push_back(s.name);
  for (const ArgSpec& s : spec)
    if (!s.short_name.empty()) out.push_back(s.short_name);
  return out;
}

Status unknown_option(const std::string& argument, const std::vector<ArgSpec>& spec) {
  // "--devcie=cpu" is the option "--devcie"; a short option's text is shown whole.
  const std::string name = argument.rfind("--", 0) == 0 ? argument.substr(0, argument.find('=')) : argument;
  return invalid_argument("unknown option '" + name + "'" + did_you_mean(name, spellings(spec)) +
                          " (see --help)");
}

// CLI11's ArgumentMismatch says "--input: 1 required TEXT missing" or "--json was given a
// disallowed flag override"; the option is the text before ':' or ' '. Reworded as the
// messages our tests and docs have used.
Status mismatch(const std::string& what, const std::vector<ArgSpec>& spec) {
  std::string name = what.substr(0, what.find_first_of(": "));
  if (name.rfind('-', 0) != 0) name = (name.size() == 1 ? "-" : "--") + name;  // flag errors drop the dashes
  const auto it = std::find_if(spec.begin(), spec.end(),
                               [&](const ArgSpec& s) { return s.name == name || s.short_name == name; });
  if (it == spec.end()) return invalid_argument(what);
  if (it->takes_value) return invalid_argument("option " + it->name + " needs a value");
  return invalid_argument("option " + it->name + " takes no value");
}

}  // namespace

Result<ParsedArgs> parse_args(const std::vector<std::string>& argv,
                              const std::vector<ArgSpec>& spec) {
  CLI::App app;
  app.set_help_flag();      // --help/-h are in the tables, answered by each command
  app.allow_extras(true);   // unknown options are collected and refused below, with a suggestion
  std::unordered_map<const CLI::Option*, const ArgSpec*> spec_of;
  CLI::Option* rest = nullptr;
  try {
    for (const ArgSpec& s : spec) {
      CLI::Option* o = s.takes_value ? app.add_option(cli11_names(s)) : app.add_flag(cli11_names(s));
      // Repeats are allowed (the last value wins, -i keeps every one): read from results().
      o->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      if (s.takes_value) o->expected(1);
      else o->disable_flag_override();  // --json=yes is a mistake, not a value
      spec_of[o] = &s;
    }
    rest = app.add_option("positional")->expected(0, -1)->allow_extra_args();
  } catch (const CLI::Error& e) {
    // A table's own mistake (a name twice, a malformed name): a bug, reported, never a crash.
    return internal_error(std::string("the command's option table is wrong: ") + e.what());
  }
  std::vector<std::string> reversed(argv.rbegin(), argv.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ArgumentMismatch& e) {
    return mismatch(e.what(), spec);
  } catch (const CLI::ParseError& e) {
    return invalid_argument(e.what());
  }
  // CLI11 hands back the "--" it took as the end of options among the extras.
  for (const std::string& extra : app.remaining())
    if (extra != "--") return unknown_option(extra, spec);

  // parse_order() lists the option of every value in the order given, so positional
  // arguments and -i values interleave as typed.
  ParsedArgs out;
  std::unordered_map<const CLI::Option*, size_t> used;
  for (const CLI::Option* o : app.parse_order()) {
    const size_t i = used[o]++;
    if (o == rest) {
      out.positional.push_back(o->results().at(i));
      continue;
    }
    const ArgSpec& s = *spec_of.at(o);
    if (!s.takes_value)
      out.flags.insert(s.name);
    else if (s.positional_alias)
      out.positional.push_back(o->results().at(i));
    else
      out.options[s.name] = o->results().at(i);
  }
  return out;
}

}  // namespace toonbox::cli
