// TOONBOX_CPU_PROFILE_STEPS=1: where a compiled CPU graph's time goes, step by step (the
// CPU counterpart of TOONBOX_CUDA_PROFILE_STEPS). Every run times each step; when the
// executable is destroyed it prints, on stderr, each step's median time over the runs,
// its share and what it is, slowest first.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace toonbox::cpu {

bool cpu_step_profiling_enabled();

class CpuStepProfiler {
 public:
  // `descriptions` has one entry per step, in step order.
  explicit CpuStepProfiler(std::vector<std::string> descriptions);
  ~CpuStepProfiler();  // prints the table

  // Runs the steps in order, timing each; `wait` runs after each step so that work a
  // step queued (a oneDNN stream) is counted as that step's.
  void run(const std::vector<std::function<void()>>& steps, const std::function<void()>& wait);

 private:
  std::vector<std::string> descriptions_;
  std::vector<std::vector<double>> times_;  // per step, one entry per run, milliseconds
};

}  // namespace toonbox::cpu
