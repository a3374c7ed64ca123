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

// Streams per GPU (--streams): every GPU in `devices` followed by streams-1 more
// selections of the same GPU and precision, each with its own backend, so each becomes a
// worker with its own CUDA stream, model copy and compiled plans. One worker's host work
// (staging pixels, waiting for its call, handing results on) and its copies then overlap
// another's compute instead of leaving the GPU idle between calls. CPU entries stay
// single: oneDNN already spreads one call over every core.
inline constexpr int kDefaultGpuStreams = 2;
inline constexpr int kMaxGpuStreams = 8;
Result<std::vector<DeviceSelection>> with_gpu_streams(const std::vector<DeviceSelection>& devices, int streams);

// The workers' report names: device_worker_ids of each selection's backend id, so two
// streams of cuda:0 are "cuda:0#1" and "cuda:0#2".
std::vector<std::string> selection_ids(const std::vector<DeviceSelection>& devices);

// One line for several workers: each device's summary once, with ", N streams" where
// with_gpu_streams repeated it: "cuda:0 NVIDIA H200 (sm_90, 139 GiB), fp16, 2 streams".
std::string devices_summary(const std::vector<DeviceSelection>& devices);

// select_device() for each entry; the first failure is the error.
Result<std::vector<DeviceSelection>> select_devices(const std::vector<std::string>& devices,
                                                    const std::string& precision);

}  // namespace toonbox::engine
