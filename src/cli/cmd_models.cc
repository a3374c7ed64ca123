#include <cstdio>

#include "cli/commands.h"

namespace toonbox::cli {

// Placeholder until the models command lands: says so plainly and fails.
int cmd_models(const std::vector<std::string>&) {
  std::fprintf(stderr, "toonbox models: not implemented in this build yet\n");
  return kExitFailure;
}

}  // namespace toonbox::cli
