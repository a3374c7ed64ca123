#include <cstdio>

#include "cli/commands.h"

namespace toonbox::cli {

// Placeholder until the cartoonize command lands: says so plainly and fails.
int cmd_cartoonize(const std::vector<std::string>&) {
  std::fprintf(stderr, "toonbox cartoonize: not implemented in this build yet\n");
  return kExitFailure;
}

}  // namespace toonbox::cli
