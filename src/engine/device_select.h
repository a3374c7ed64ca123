// Turns a device and precision request (the CLI's and serve's --device/--precision) into
// a backend, and says why; the messages name no command-line flag, so every front end
// can show them. `auto` never hides a
// fallback: the reason names the layer that ruled the GPU out. An explicit `cuda` that
// cannot be honoured is an error, never a silent CPU run.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "core/status.h"

namespace toonbox::engine {

struct DeviceSelection {
  std::shared_ptr<backend::Backend> backend;
  Precision precision = Precision::kFloat32;
  std::string reason;  // "requested", "auto: GPU available", "no NVIDIA driver: ..."
  bool is_gpu = false;
  // One line for users: "cuda:0 NVIDIA H200 (sm_90, 139 GiB), fp16" or
  // "cpu (no NVIDIA driver: libcuda.so.1 not found), fp32".
  std::string summary() const;
};

// device: "auto", "cpu", "cuda" or "cuda:N". precision: "auto", "fp32", "tf32" or "fp16".
Result<DeviceSelection> select_device(const std::string& device, const std::string& precision);

}  // namespace toonbox::engine
