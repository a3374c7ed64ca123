// The user's real first-frame latency: a fresh process of the same toonbox binary doing
// one image from its command line, timed from the spawn to the moment its output file
// appears (the atomic rename, seen through inotify), and on to its exit.
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace toonbox::bench {

struct ColdStart {
  bool ok = false;
  std::string error;          // why not: the exit status and the tail of its stderr
  double to_output_ms = 0;    // spawn -> output file renamed into place
  double to_exit_ms = 0;      // spawn -> process exited
  size_t peak_rss_bytes = 0;  // the child's own high-water mark (wait4's ru_maxrss)
  std::vector<std::string> argv;
};

// Runs `exe args...` and waits (at most timeout_s) for `output` to be written and the
// process to exit 0. The output's folder must exist; the file must not.
// `stop`, when set, kills the child and reports the cold start as interrupted.
ColdStart measure_cold_start(const std::string& exe, const std::vector<std::string>& args,
                             const std::string& output, int timeout_s,
                             const std::atomic<bool>* stop = nullptr);

}  // namespace toonbox::bench
