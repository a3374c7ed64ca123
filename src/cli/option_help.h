// The option list of a command's --help, generated from its ArgSpec table (args.h) by
// CLI11's formatter, so a new option is documented where it is declared. The usage lines
// above it (the synopsis) stay hand-written in each command: they say which options go
// together, which a table cannot.
#pragma once

#include <string>
#include <vector>

#include "cli/args.h"

namespace toonbox::cli {

// One entry per option that has a `help` text, in the table's order, as CLI11 lays it out
// ("  -o,--output PATH       what it does", continuation lines under the text); options
// without one (--help itself) are left out. Each line ends with '\n'.
std::string option_list(const std::vector<ArgSpec>& spec);

}  // namespace toonbox::cli
