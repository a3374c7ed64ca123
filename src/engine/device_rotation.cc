#include "engine/device_rotation.h"

#include <algorithm>

namespace toonbox::engine {

DeviceRotation::DeviceRotation(int workers, Options options)
    : options_(options), retired_(static_cast<size_t>(std::max(1, workers)), false),
      reasons_(retired_.size()), failures_in_a_row_(retired_.size(), 0), live_(static_cast<int>(retired_.size())) {}

DeviceRotation::Verdict DeviceRotation::judge(int worker, const Status& s) {
  Verdict v;
  if (size() == 1) return v;
  std::lock_guard<std::mutex> lock(mutex_);
  int& in_a_row = failures_in_a_row_[static_cast<size_t>(worker)];
  if (s.is_ok()) {
    in_a_row = 0;
  } else if (DeviceHealth::is_device_lost(s)) {
    v.retry_elsewhere = true;
    v.retire = s.message();
  } else if (DeviceHealth::may_be_device(s)) {
    // Maybe the device, maybe the image: another device tries it.
    v.retry_elsewhere = true;
    const bool counts = options_.oom_counts || s.code() != StatusCode::kOutOfMemory;
    if (counts && ++in_a_row >= DeviceHealth::kRetireAfter)
      v.retire = std::to_string(in_a_row) + " images in a row failed on it, the last: " + s.message();
  }
  return v;
}

bool DeviceRotation::retire(int worker, const std::string& why, int* left) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (left) *left = live_;
  if (retired_[static_cast<size_t>(worker)]) return false;
  retired_[static_cast<size_t>(worker)] = true;
  reasons_[static_cast<size_t>(worker)] = why;
  --live_;
  if (left) *left = live_;
  return true;
}

bool DeviceRotation::retired(int worker) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return retired_[static_cast<size_t>(worker)];
}

std::string DeviceRotation::retired_reason(int worker) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return reasons_[static_cast<size_t>(worker)];
}

int DeviceRotation::live() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_;
}

bool DeviceRotation::someone_can_try(uint64_t failed_on) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t v = 0; v < retired_.size(); ++v)
    if (!retired_[v] && !(failed_on & bit(static_cast<int>(v)))) return true;
  return false;
}

std::string rotation_tail(int left, const std::string& things, const std::string& none_left) {
  if (left <= 0) return "no device left: " + none_left;
  return "its " + things + " go to the " + std::to_string(left) + " other device" + (left == 1 ? "" : "s");
}

}  // namespace toonbox::engine
