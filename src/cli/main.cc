#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/startup_trace.h"
#include "cli/commands.h"
#include "cli/malloc_policy.h"
#include "cli/openmp_policy.h"
#include "cli/suggest.h"
#include "cli/version.h"

namespace {

using toonbox::cli::Command;

void print_usage(FILE* out) {
  std::fprintf(out, "toonbox %s: portrait image-AI models on NVIDIA GPUs and CPUs\n\n",
               TOONBOX_VERSION);
  std::fprintf(out, "usage: toonbox <command> [options]\n\ncommands:\n");
  for (const Command& c : toonbox::cli::all_commands()) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(out, "\n`toonbox help <command>` (or `toonbox <command> --help`) shows a command's options.\n");
}

// " (did you mean cartoonize?)" for a mistyped command, or "".
std::string command_suggestion(const char* typed) {
  std::vector<std::string> names = {"help", "version"};
  for (const Command& c : toonbox::cli::all_commands()) names.push_back(c.name);
  return toonbox::cli::did_you_mean(typed, names);
}

}  // namespace

int main(int argc, char** argv) {
  toonbox::startup_mark("main");
  toonbox::cli::use_passive_openmp_wait(argv);
  toonbox::cli::keep_freed_memory_in_malloc();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    print_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? toonbox::cli::kExitUsage : toonbox::cli::kExitOk;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    std::fputs(toonbox::cli::version_text().c_str(), stdout);
    return 0;
  }
  // `toonbox help COMMAND` is `toonbox COMMAND --help`; `toonbox help` the command list.
  if (!std::strcmp(argv[1], "help")) {
    if (argc < 3) {
      print_usage(stdout);
      return toonbox::cli::kExitOk;
    }
    for (const Command& c : toonbox::cli::all_commands()) {
      if (std::strcmp(argv[2], c.name) == 0) return c.run({"--help"});
    }
    std::fprintf(stderr, "toonbox: no command '%s' to explain%s\n\n", argv[2], command_suggestion(argv[2]).c_str());
    print_usage(stderr);
    return toonbox::cli::kExitUsage;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : toonbox::cli::all_commands()) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    const int status = c.run(args);
    toonbox::startup_mark("main returns");
    return status;
  }
  std::fprintf(stderr, "toonbox: unknown command '%s'%s\n\n", argv[1], command_suggestion(argv[1]).c_str());
  print_usage(stderr);
  return toonbox::cli::kExitUsage;
}
