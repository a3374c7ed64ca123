// toonbox completion bash|zsh|fish: prints the shell's completion script (completion.h).
#include <cstdio>

#include "cli/commands.h"
#include "cli/completion.h"

namespace toonbox::cli {

namespace {

constexpr const char* kUsage =
    "usage: toonbox completion bash|zsh|fish\n"
    "\n"
    "Prints a completion script for the shell, generated from toonbox's commands and\n"
    "options:\n"
    "  bash   source <(toonbox completion bash)   (or save it in\n"
    "         ~/.local/share/bash-completion/completions/toonbox)\n"
    "  zsh    toonbox completion zsh > \"${fpath[1]}/_toonbox\"\n"
    "  fish   toonbox completion fish > ~/.config/fish/completions/toonbox.fish\n";

}  // namespace

int cmd_completion(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::printf("%s", kUsage);
    return kExitOk;
  }
  if (args.size() != 1) {
    std::fprintf(stderr, "toonbox completion: name one shell\n%s", kUsage);
    return kExitUsage;
  }
  auto script = completion_script(args[0], all_commands());
  if (!script.is_ok()) {
    std::fprintf(stderr, "toonbox completion: %s\n%s", script.status().message().c_str(), kUsage);
    return kExitUsage;
  }
  std::fputs(script->c_str(), stdout);
  return kExitOk;
}

}  // namespace toonbox::cli
