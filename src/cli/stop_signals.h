// SIGINT/SIGTERM as a flag that long commands poll (folders, bench): the first signal
// asks for a clean stop (finish what is in hand, write what was done), the second takes
// the default action and ends the process at once.
#pragma once

#include <atomic>

namespace toonbox::cli {

// Installs the handlers for its lifetime and clears the flag; restores the previous
// handlers when destroyed.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  static const std::atomic<bool>* flag();
  static int signal();  // the signal that asked to stop, 0 if none
};

}  // namespace toonbox::cli
