#include "backend/cuda/step_profiler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "backend/cuda/cuda_check.h"

namespace toonbox::cuda {

bool step_profiling_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_PROFILE_STEPS");
  return v != nullptr && v[0] == '1';
}

Result<std::unique_ptr<StepProfiler>> StepProfiler::create(const std::vector<std::unique_ptr<Step>>* steps) {
  std::unique_ptr<StepProfiler> p(new StepProfiler(steps));
  for (size_t i = 0; i <= steps->size(); ++i) {
    TB_ASSIGN_OR_RETURN(UniqueEvent e, create_event());
    p->events_.push_back(std::move(e));
  }
  p->times_.resize(steps->size());
  return p;
}

StepProfiler::~StepProfiler() {
  (void)collect();
  print();
}

Status StepProfiler::run(const StepContext& ctx) {
  TB_RETURN_IF_ERROR(collect());
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(events_[0].get(), ctx.stream));
  for (size_t i = 0; i < steps_->size(); ++i) {
    Step& step = *(*steps_)[i];
    TB_RETURN_IF_ERROR(step.run(ctx).with_context(step.description()));
    TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(events_[i + 1].get(), ctx.stream));
  }
  pending_ = true;
  return Status::ok();
}

Status StepProfiler::collect() {
  if (!pending_) return Status::ok();
  pending_ = false;
  TB_CUDA_RETURN_IF_ERROR(cudaEventSynchronize(events_.back().get()));
  for (size_t i = 0; i < times_.size(); ++i) {
    float ms = 0;
    TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&ms, events_[i].get(), events_[i + 1].get()));
    times_[i].push_back(ms);
  }
  return Status::ok();
}

void StepProfiler::print() const {
  if (times_.empty() || times_[0].empty()) return;
  std::vector<float> median(times_.size());
  for (size_t i = 0; i < times_.size(); ++i) {
    std::vector<float> t = times_[i];
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    median[i] = t[t.size() / 2];
  }
  const float total = std::accumulate(median.begin(), median.end(), 0.f);
  std::vector<size_t> order(median.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return median[a] > median[b]; });
  std::fprintf(stderr, "cuda profile: %zu steps, %zu runs, sum of step medians %.3f ms\n", median.size(),
               times_[0].size(), total);
  for (size_t i : order)
    std::fprintf(stderr, "cuda profile: %8.4f ms %5.1f%%  #%zu %s\n", median[i],
                 total > 0 ? 100.f * median[i] / total : 0.f, i, (*steps_)[i]->description().c_str());
}

}  // namespace toonbox::cuda
