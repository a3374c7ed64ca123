// Which device workers are still in rotation, for the paths that run one worker per device
// (folders, `toonbox serve --device cuda:0,1`): what says a device, rather than an image,
// is at fault, and when a worker is taken out of rotation. Both keep their own queues; this
// keeps the rule, so a folder and the server judge a failing GPU the same way.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::engine {

// kUnavailable from a device call (device lost, driver gone) retires the worker at once.
// kOutOfMemory and kInternal (a sticky CUDA error, a fault) on a single image send that
// image to a worker that has not tried it; a worker that fails kRetireAfter single images
// in a row this way is retired (a dead context or a GPU whose memory another process holds
// fails everything). An image every live worker has failed fails with its last error.
// Other errors (a bad image, an unsupported size) fail the image where it is.
struct DeviceHealth {
  static constexpr int kRetireAfter = 3;
  static bool is_device_lost(const Status& s) { return s.code() == StatusCode::kUnavailable; }
  static bool may_be_device(const Status& s) {
    return s.code() == StatusCode::kOutOfMemory || s.code() == StatusCode::kInternal;
  }
};

// Thread-safe. Workers are numbered 0..n-1 (at most 64: sets of workers are bit masks).
class DeviceRotation {
 public:
  struct Options {
    // Whether out-of-memory failures count towards kRetireAfter. A folder counts them
    // (a GPU whose memory another process holds fails every image); the server does not,
    // since three large requests in a row must not take every GPU out for good.
    bool oom_counts = true;
  };
  explicit DeviceRotation(int workers) : DeviceRotation(workers, Options{}) {}
  DeviceRotation(int workers, Options options);

  // What to do after a device call of one image (or a whole call that lost the device).
  struct Verdict {
    bool retry_elsewhere = false;  // hand the image to a worker that has not failed it
    std::string retire;            // non-empty: take the worker out, for this reason
  };
  // With a single worker nothing is ever retried or retired (behaviour as before).
  Verdict judge(int worker, const Status& call_status);

  // Takes `worker` out of rotation; false when it already was. `left` gets the workers
  // still in rotation.
  bool retire(int worker, const std::string& why, int* left = nullptr);
  bool retired(int worker) const;
  std::string retired_reason(int worker) const;
  int live() const;
  int size() const { return static_cast<int>(retired_.size()); }
  // Whether a worker in rotation is not in `failed_on` (bit k: worker k failed it).
  bool someone_can_try(uint64_t failed_on) const;

  static uint64_t bit(int worker) { return uint64_t{1} << worker; }

 private:
  Options options_;
  mutable std::mutex mutex_;
  std::vector<bool> retired_;
  std::vector<std::string> reasons_;
  std::vector<int> failures_in_a_row_;
  int live_ = 0;
};

// "...; its images go to the 2 other devices" / "...; no device left: <none_left>": the
// tail of the line that tells the user a device was taken out of rotation.
std::string rotation_tail(int left, const std::string& things, const std::string& none_left);

}  // namespace toonbox::engine
