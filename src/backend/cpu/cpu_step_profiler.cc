#include "backend/cpu/cpu_step_profiler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace toonbox::cpu {

bool cpu_step_profiling_enabled() {
  const char* v = std::getenv("TOONBOX_CPU_PROFILE_STEPS");
  return v != nullptr && v[0] == '1';
}

CpuStepProfiler::CpuStepProfiler(std::vector<std::string> descriptions)
    : descriptions_(std::move(descriptions)), times_(descriptions_.size()) {}

void CpuStepProfiler::run(const std::vector<std::function<void()>>& steps, const std::function<void()>& wait) {
  using Clock = std::chrono::steady_clock;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto t0 = Clock::now();
    steps[i]();
    wait();
    if (i < times_.size())
      times_[i].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
}

CpuStepProfiler::~CpuStepProfiler() {
  if (times_.empty() || times_[0].empty()) return;
  std::vector<double> median(times_.size());
  for (size_t i = 0; i < times_.size(); ++i) {
    std::vector<double> t = times_[i];
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    median[i] = t[t.size() / 2];
  }
  const double total = std::accumulate(median.begin(), median.end(), 0.0);
  std::vector<size_t> order(median.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return median[a] > median[b]; });
  std::fprintf(stderr, "cpu profile: %zu steps, %zu runs, sum of step medians %.3f ms\n", median.size(),
               times_[0].size(), total);
  for (size_t i : order)
    std::fprintf(stderr, "cpu profile: %9.3f ms %5.1f%%  #%zu %s\n", median[i], total > 0 ? 100.0 * median[i] / total : 0.0,
                 i, descriptions_[i].c_str());
}

}  // namespace toonbox::cpu
