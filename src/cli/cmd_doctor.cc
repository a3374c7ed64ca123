#include <cstdio>

#include "cli/commands.h"

namespace toonbox::cli {

// Placeholder until the doctor command lands: says so plainly and fails.
int cmd_doctor(const std::vector<std::string>&) {
  std::fprintf(stderr, "toonbox doctor: not implemented in this build yet\n");
  return kExitFailure;
}

}  // namespace toonbox::cli
