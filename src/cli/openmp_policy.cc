#include "cli/openmp_policy.h"

#include <stdlib.h>
#include <unistd.h>

namespace toonbox::cli {

void use_passive_openmp_wait(char** argv) {
  if (getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 0) != 0) return;
  execv("/proc/self/exe", argv);
  // No /proc (or exec refused): run as we are, with libgomp's default policy. The
  // variable stays set, so a child process this one starts gets the passive policy.
}

}  // namespace toonbox::cli
