#include "engine/device_select.h"

#include <cstdlib>

#include "core/startup_trace.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cuda_early_context.h"
#include "backend/cuda_plugin_loader.h"

namespace toonbox::engine {

namespace {

// Tries to create the CUDA backend on device `index`; on failure returns why, in the
// words of the layer that failed.
Result<std::shared_ptr<backend::Backend>> try_cuda(int index) {
  if (backend::built_with_cuda()) backend::start_cuda_context_early(index);
  const backend::CudaPluginLoad& plugin = backend::load_cuda_plugin();
  if (!plugin.api) return unavailable(plugin.failure);
  cuda::CudaRuntimeInfo info;
  TB_RETURN_IF_ERROR(plugin.api->probe(&info));
  startup_mark("CUDA probed");
  if (info.devices.empty()) return unavailable("no CUDA-capable device visible");
  if (index < 0 || index >= static_cast<int>(info.devices.size())) {
    return unavailable("cuda:" + std::to_string(index) + " does not exist (" +
                       std::to_string(info.devices.size()) + " device(s) visible)");
  }
  const cuda::CudaDeviceInfo& dev = info.devices[index];
  if (!dev.kernel_image_available) {
    return unavailable(dev.name + " (sm_" + std::to_string(dev.cc_major) +
                       std::to_string(dev.cc_minor) + ") is not supported by this build (compiled for " +
                       info.compiled_archs + ")");
  }
  TB_ASSIGN_OR_RETURN(std::unique_ptr<backend::Backend> backend, plugin.api->create_backend(index));
  startup_mark("CUDA backend created");
  return std::shared_ptr<backend::Backend>(std::move(backend));
}

Result<Precision> resolve_precision(const std::string& precision, bool gpu) {
  if (precision == "auto") return gpu ? Precision::kFloat16 : Precision::kFloat32;
  const std::optional<Precision> p = precision_from_name(precision);
  if (!p) return invalid_argument("precision must be auto, fp32, tf32 or fp16, got '" + precision + "'");
  if (*p == Precision::kFloat16 && !gpu)
    return invalid_argument("precision fp16 needs a GPU; the CPU backend computes in fp32");
  if (*p == Precision::kTf32 && !gpu)
    return invalid_argument("precision tf32 needs an NVIDIA GPU (TF32 tensor cores); the CPU backend computes in fp32");
  return *p;
}

}  // namespace

std::string DeviceSelection::summary() const {
  std::string s = backend->device().id;
  if (is_gpu) {
    s += " " + backend->device().label;
  } else if (!reason.empty()) {
    s += " (" + reason + ")";
  }
  return s + ", " + precision_name(precision);
}

Result<DeviceSelection> select_device(const std::string& device, const std::string& precision) {
  DeviceSelection sel;
  if (device == "cpu") {
    sel.backend = cpu::create_cpu_backend();
    sel.reason = "requested";
  } else if (device == "cuda" || device.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (device.size() > 5) {
      char* end = nullptr;
      const long v = std::strtol(device.c_str() + 5, &end, 10);
      if (*end != '\0' || v < 0 || v > 1024)
        return invalid_argument("bad CUDA device index in '" + device + "'");
      index = static_cast<int>(v);
    }
    auto cuda = try_cuda(index);
    if (!cuda.is_ok()) {
      return Status(cuda.status().code(),
                    "device " + device + " cannot be used: " + cuda.status().message() +
                        " (run `toonbox doctor` for details; device cpu runs on the CPU)");
    }
    sel.backend = std::move(cuda).value();
    sel.is_gpu = true;
    sel.reason = "requested";
  } else if (device == "auto") {
    auto cuda = try_cuda(0);
    if (cuda.is_ok()) {
      sel.backend = std::move(cuda).value();
      sel.is_gpu = true;
      sel.reason = "auto: GPU available";
    } else {
      sel.backend = cpu::create_cpu_backend();
      sel.reason = cuda.status().message();
    }
  } else {
    return invalid_argument("device must be auto, cpu, cuda or cuda:N, got '" + device + "'");
  }
  TB_ASSIGN_OR_RETURN(sel.precision, resolve_precision(precision, sel.is_gpu));
  return sel;
}

}  // namespace toonbox::engine
