// Runs a program with a time limit and captures its output; used for `ldconfig -p` and
// for the user's python. No shell is involved, so paths with spaces are safe.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace toonbox::doctor {

struct ProcessResult {
  bool started = false;
  std::string start_error;  // why it could not be started
  bool timed_out = false;
  int exit_code = -1;  // -1 when killed by a signal
  std::string out, err;
};

// env: the child's complete environment. Output beyond max_output bytes per stream is
// dropped (a runaway child must not exhaust memory).
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env, int timeout_s,
                          size_t max_output = 4 << 20);

}  // namespace toonbox::doctor
