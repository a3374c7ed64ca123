// A bounded multi-producer multi-consumer queue between the stages of a folder run. The
// bound is what keeps memory flat: a fast decoder waits instead of holding the whole
// folder's pixels while the device catches up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace toonbox::folder {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // Blocks while full. False (item dropped) once closed.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Blocks until an item arrives or the queue is closed and drained (nullopt).
  std::optional<T> pop() { return pop_until(std::chrono::steady_clock::time_point::max()); }

  // As pop(), but gives up at `deadline` (nullopt; check closed_and_empty()).
  std::optional<T> pop_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    auto ready = [&] { return closed_ || !items_.empty(); };
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      not_empty_.wait(lock, ready);
    } else if (!not_empty_.wait_until(lock, deadline, ready)) {
      return std::nullopt;
    }
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // No more pushes; consumers drain what is left, then pop() returns nullopt.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed_and_empty() const {
    std::lock_guard lock(mutex_);
    return closed_ && items_.empty();
  }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace toonbox::folder
