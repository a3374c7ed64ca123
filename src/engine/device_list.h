// Several devices in one --device: "cuda:0,1,3", "cuda:all", "cuda:0,cuda:2", "cpu,cpu"
// (several CPU workers: for tests of the multi-device paths, or one per socket). Each
// entry becomes one worker with its own backend, model and compiled plans.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "engine/device_select.h"

namespace toonbox::engine {

inline constexpr int kMaxDeviceWorkers = 64;

// The single-device names select_device() takes, in order: "cuda:0,1" -> {"cuda:0",
// "cuda:1"}; "cuda:all" -> every visible GPU (an error naming the failing layer when there
// is none); "auto", "cpu", "cuda" pass through. A GPU named twice, "auto" in a list, or
// more than kMaxDeviceWorkers entries are refused (kInvalidArgument).
Result<std::vector<std::string>> expand_device_list(const std::string& spec);

// Names for reports, unique: the device name, with "#k" (k = 1, 2, ...) appended where
// several workers share one ("cpu#1", "cpu#2").
std::vector<std::string> device_worker_ids(const std::vector<std::string>& devices);

// select_device() for each entry; the first failure is the error.
Result<std::vector<DeviceSelection>> select_devices(const std::vector<std::string>& devices,
                                                    const std::string& precision);

}  // namespace toonbox::engine
