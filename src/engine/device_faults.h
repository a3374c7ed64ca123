// A fault-injection hook for the multi-device paths, read from TOONBOX_TEST_DEVICE_FAULTS, so
// the CLI, server, Slurm and failover tests can make one device of a real run slow or fail
// without a GPU: comma-separated rules
//
//   W:delay=MS                 every call of worker W sleeps MS ms first (a slow device)
//   W:fail-after=N[:KIND]      after N good calls every call of worker W fails; KIND is
//                              lost (kUnavailable, the default), oom or error (kInternal)
//
// W is a worker's position in --device (0-based) or '*' for all. Unset: nothing changes.
// The failure message names the hook, so it can never pass for a real device error.
// Folders wrap their device stages with it (folder/test_device_hook.h); the server's
// device workers call before_call() ahead of each device call.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::engine {

inline constexpr const char* kTestDeviceVariable = "TOONBOX_TEST_DEVICE_FAULTS";

class DeviceFaults {
 public:
  DeviceFaults() = default;
  // `rules` (the variable's value; "" injects nothing) for `workers` workers named `ids`.
  // A rule that does not parse, or names a worker that does not exist, is an error naming it.
  static Result<DeviceFaults> parse(const std::string& rules, const std::vector<std::string>& ids);
  // The rules as read from the environment (none when the variable is unset).
  static Result<DeviceFaults> from_environment(const std::vector<std::string>& ids);

  bool empty() const { return rules_.empty(); }
  // Worker `w` is about to make a device call: sleeps for its delays, then the injected
  // failure, or ok (and counts a good call). Safe from any thread.
  Status before_call(int worker) const;
  // The same for one rule only (folders wrap each rule around the stage in turn).
  Status before_call(int worker, size_t rule) const;
  size_t rule_count() const { return rules_.size(); }
  bool applies(size_t rule, int worker) const;

 private:
  struct Rule {
    int worker = -1;  // -1: every worker
    int delay_ms = 0;
    int fail_after = -1;  // -1: never fails
    StatusCode kind = StatusCode::kUnavailable;
    // Good calls per worker; shared so a copy of the hook counts with the original.
    std::shared_ptr<std::vector<std::atomic<int>>> good_calls;
  };
  static Result<Rule> parse_rule(const std::string& text);
  std::vector<Rule> rules_;
  std::vector<std::string> ids_;
};

}  // namespace toonbox::engine
