// A Backend decorator for tests: counts compiles and Executable::run calls (with the
// batch size each run got), makes out-of-memory injectable (a compile whose arena is
// larger than `arena_limit` fails with kOutOfMemory, as a CUDA arena allocation would),
// and reports whatever free memory a test wants automatic tile sizes to see.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "backend/backend.h"

namespace toonbox::test {

class InstrumentedBackend final : public backend::Backend {
 public:
  explicit InstrumentedBackend(std::shared_ptr<backend::Backend> inner)
      : inner_(std::move(inner)) {}

  // Compiles whose arena exceeds this fail with out_of_memory.
  std::atomic<size_t> arena_limit{std::numeric_limits<size_t>::max()};
  // What free_memory() reports; unset: the wrapped backend's answer.
  std::optional<size_t> free_bytes;

  int runs() const { return runs_.load(); }
  int compiles() const { return compiles_.load(); }
  int ooms() const { return ooms_.load(); }
  // dim 0 of the first input of every run, in order.
  std::vector<int64_t> run_batches() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return batches_;
  }
  // The shape of the first input of the last run (empty before any).
  Shape last_run_shape() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_shape_;
  }
  void reset_counts() {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_.clear();
    runs_ = 0;
    compiles_ = 0;
    ooms_ = 0;
  }

  const backend::DeviceDescription& device() const override { return inner_->device(); }
  bool supports(Precision p) const override { return inner_->supports(p); }
  std::string unsupported_reason(const graph::Graph& g, const graph::Node& n,
                                 Precision p) const override {
    return inner_->unsupported_reason(g, n, p);
  }
  Result<size_t> free_memory() const override {
    if (free_bytes) return *free_bytes;
    return inner_->free_memory();
  }
  Result<std::unique_ptr<backend::Executable>> compile(const graph::Graph& g,
                                                       const backend::CompileOptions& o) override {
    compiles_.fetch_add(1);
    auto exe = inner_->compile(g, o);
    if (!exe.is_ok()) return exe.status();
    if ((*exe)->arena_bytes() > arena_limit.load()) {
      ooms_.fetch_add(1);
      return out_of_memory("injected: arena of " + std::to_string((*exe)->arena_bytes()) +
                           " bytes is over the test's limit of " + std::to_string(arena_limit.load()));
    }
    return std::unique_ptr<backend::Executable>(
        std::make_unique<Counted>(this, std::move(exe).value()));
  }

 private:
  class Counted final : public backend::Executable {
   public:
    Counted(InstrumentedBackend* owner, std::unique_ptr<backend::Executable> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    Status run(const std::vector<Tensor>& in, std::vector<Tensor>* out,
               backend::RunTimings* t) override {
      {
        std::lock_guard<std::mutex> lock(owner_->mutex_);
        owner_->batches_.push_back(in.empty() || in[0].rank() == 0 ? 0 : in[0].dim(0));
        owner_->last_shape_ = in.empty() ? Shape{} : in[0].shape();
      }
      owner_->runs_.fetch_add(1);
      return inner_->run(in, out, t);
    }
    size_t arena_bytes() const override { return inner_->arena_bytes(); }

   private:
    InstrumentedBackend* owner_;
    std::unique_ptr<backend::Executable> inner_;
  };

  std::shared_ptr<backend::Backend> inner_;
  mutable std::mutex mutex_;
  std::vector<int64_t> batches_;
  Shape last_shape_;
  std::atomic<int> runs_{0}, compiles_{0}, ooms_{0};
};

}  // namespace toonbox::test
