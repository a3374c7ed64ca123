// TOONBOX_CUDA_PROFILE_STEPS=1: where a compiled graph's time goes, step by step.
//
// Every run goes step by step (no CUDA graph) with an event after each step; the
// elapsed times are read at the next run (or when the executable is destroyed), so the
// profile adds no synchronization of its own. When the executable is destroyed it
// prints, on stderr, each step's median time over the runs, its share and description,
// slowest first: the table that says which kernel to fuse or replace next. Times are
// of back-to-back launches without a graph, so the total reads a little higher than a
// graph replay; proportions are what it is for.
#pragma once

#include <cuda_runtime.h>

#include <memory>
#include <string>
#include <vector>

#include "backend/cuda/cuda_handles.h"
#include "backend/cuda/step.h"
#include "core/status.h"

namespace toonbox::cuda {

bool step_profiling_enabled();

class StepProfiler {
 public:
  // `steps` must outlive the profiler (the executable owns both).
  static Result<std::unique_ptr<StepProfiler>> create(const std::vector<std::unique_ptr<Step>>* steps);
  ~StepProfiler();  // collects the last run and prints the table

  // Runs every step with an event after each; collects the previous run's times first.
  Status run(const StepContext& ctx);

 private:
  explicit StepProfiler(const std::vector<std::unique_ptr<Step>>* steps) : steps_(steps) {}
  Status collect();  // the pending run's per-step times into times_
  void print() const;

  const std::vector<std::unique_ptr<Step>>* steps_;
  std::vector<UniqueEvent> events_;         // events_[0] before step 0, events_[i + 1] after step i
  std::vector<std::vector<float>> times_;   // per step, one entry per collected run
  bool pending_ = false;
};

}  // namespace toonbox::cuda
