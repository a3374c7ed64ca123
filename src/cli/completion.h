// Shell completion scripts generated from the command table and each command's options
// (commands.h), so a new flag completes without anyone editing a script.
#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/status.h"

namespace toonbox::cli {

// "bash", "zsh" or "fish": a script to source (bash, zsh) or to put in fish's
// completions folder. Commands complete first, then a command's flags after `-`, files
// after a flag that takes a value and elsewhere, and a command's subcommands first.
Result<std::string> completion_script(const std::string& shell,
                                      const std::vector<Command>& commands);

}  // namespace toonbox::cli
