// A fault-injection hook for the multi-device paths, read from TOONBOX_TEST_DEVICE_FAULTS, so the
// CLI, Slurm and failover tests can make one device of a real run slow or fail without a
// GPU: comma-separated rules
//
//   W:delay=MS                 every call of worker W sleeps MS ms first (a slow device)
//   W:fail-after=N[:KIND]      after N good calls every call of worker W fails; KIND is
//                              lost (kUnavailable, the default), oom or error (kInternal)
//
// W is a worker's position in --device (0-based) or '*' for all. Unset: nothing changes.
// The failure message names the hook, so it can never pass for a real device error.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "folder/folder_runner.h"

namespace toonbox::folder {

inline constexpr const char* kTestDeviceVariable = "TOONBOX_TEST_DEVICE_FAULTS";

// Wraps the workers' device stages by `rules` (the variable's value; "" leaves them).
// A rule that does not parse is an error naming it.
Status apply_test_device_rules(const std::string& rules, std::vector<DeviceWorker>* workers);

}  // namespace toonbox::folder
