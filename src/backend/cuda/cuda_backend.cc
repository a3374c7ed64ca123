#include "backend/cuda/cuda_backend.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdio>
#include <sstream>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_executable.h"
#include "backend/cuda/cuda_handles.h"
#include "backend/cuda/cuda_support.h"
#include "backend/cuda/kernels/probe.h"

#ifndef TOONBOX_CUDA_ARCHS_STRING
#define TOONBOX_CUDA_ARCHS_STRING ""
#endif

namespace toonbox::cuda {

namespace {

// 13000 -> "13.0"
std::string cuda_version_string(int v) {
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

// 91900 -> "9.19.0"
std::string cudnn_version_string(size_t v) {
  return std::to_string(v / 10000) + "." + std::to_string((v % 10000) / 100) + "." + std::to_string(v % 100);
}

// CMake's "80-real 90-real 90-virtual" -> "sm_80 sm_90 compute_90".
std::string compiled_archs() {
  std::istringstream in(TOONBOX_CUDA_ARCHS_STRING);
  std::string item, out;
  while (in >> item) {
    const size_t dash = item.find('-');
    const std::string num = item.substr(0, dash);
    const std::string kind = dash == std::string::npos ? "" : item.substr(dash + 1);
    auto add = [&out](const std::string& s) { out += (out.empty() ? "" : " ") + s; };
    if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos) {
      add(item);  // "native", "all": say what CMake was told
    } else if (kind == "real") {
      add("sm_" + num);
    } else if (kind == "virtual") {
      add("compute_" + num);
    } else {
      add("sm_" + num);
      add("compute_" + num);
    }
  }
  return out;
}

std::string uuid_string(const cudaUUID_t& uuid) {
  const auto* b = reinterpret_cast<const unsigned char*>(uuid.bytes);
  char buf[64];
  std::snprintf(buf, sizeof(buf),
                "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return buf;
}

}  // namespace

Status probe_cuda(CudaRuntimeInfo* info) {
  *info = CudaRuntimeInfo{};
  info->compiled_archs = compiled_archs();
  info->cudnn_version = cudnnGetVersion();
  info->cudnn_compiled = CUDNN_VERSION;
  int major = 0, minor = 0, patch = 0;
  if (cublasGetProperty(MAJOR_VERSION, &major) == CUBLAS_STATUS_SUCCESS &&
      cublasGetProperty(MINOR_VERSION, &minor) == CUBLAS_STATUS_SUCCESS &&
      cublasGetProperty(PATCH_LEVEL, &patch) == CUBLAS_STATUS_SUCCESS) {
    info->cublas_version = major * 10000 + minor * 100 + patch;
  }
  TB_CUDA_RETURN_IF_ERROR(cudaRuntimeGetVersion(&info->runtime_version));
  // cudaDriverGetVersion reports 0 (and succeeds) when no driver is loaded.
  if (cudaDriverGetVersion(&info->driver_version) != cudaSuccess) {
    (void)cudaGetLastError();
    info->driver_version = 0;
  }
  if (info->cudnn_version / 10000 != info->cudnn_compiled / 10000) {
    return unavailable("cuDNN " + cudnn_version_string(info->cudnn_version) + " was loaded, but the CUDA backend "
                       "was built for cuDNN " + cudnn_version_string(info->cudnn_compiled) +
                       " (major versions differ)");
  }

  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    if (info->driver_version == 0)
      return unavailable("no NVIDIA driver loaded (" + cuda_error_text(err) + ")");
    if (err == cudaErrorInsufficientDriver || info->driver_version < info->runtime_version) {
      return unavailable("driver too old for CUDA runtime " + cuda_version_string(info->runtime_version) +
                         " (driver supports " + cuda_version_string(info->driver_version) + ")");
    }
    if (err == cudaErrorNoDevice) return unavailable("no CUDA-capable device (driver " +
                                                     cuda_version_string(info->driver_version) + ")");
    return cuda_status(err, "cudaGetDeviceCount", __FILE__, __LINE__).with_context("probing CUDA devices");
  }
  if (count == 0) return unavailable("no CUDA-capable device");

  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    TB_CUDA_RETURN_IF_ERROR(cudaGetDeviceProperties(&prop, d));
    CudaDeviceInfo dev;
    dev.index = d;
    dev.name = prop.name;
    dev.uuid = uuid_string(prop.uuid);
    dev.cc_major = prop.major;
    dev.cc_minor = prop.minor;
    dev.multiprocessors = prop.multiProcessorCount;
    dev.memory_total = prop.totalGlobalMem;
    DeviceGuard guard;
    Status st = guard.set(d);
    if (st.is_ok()) {
      size_t free_bytes = 0, total_bytes = 0;
      if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
        dev.memory_free = free_bytes;
        dev.memory_total = total_bytes;
      } else {
        (void)cudaGetLastError();
      }
      dev.kernel_image_available = check_kernel_image() == cudaSuccess;
    }
    info->devices.push_back(std::move(dev));
  }
  return Status::ok();
}

Result<std::unique_ptr<backend::Backend>> create_cuda_backend(int index) {
  CudaRuntimeInfo info;
  TB_RETURN_IF_ERROR(probe_cuda(&info));
  if (index < 0 || index >= static_cast<int>(info.devices.size())) {
    return not_found("cuda:" + std::to_string(index) + " does not exist (" + std::to_string(info.devices.size()) +
                     " CUDA device" + (info.devices.size() == 1 ? "" : "s") + " found)");
  }
  const CudaDeviceInfo& dev = info.devices[index];
  const std::string sm = "sm_" + std::to_string(dev.cc_major) + std::to_string(dev.cc_minor);
  if (!dev.kernel_image_available) {
    return unavailable(dev.name + " (" + sm + ") cannot run this build's kernels (built for " +
                       info.compiled_archs + "); rebuild with -DTOONBOX_CUDA_ARCHS=" +
                       std::to_string(dev.cc_major) + std::to_string(dev.cc_minor));
  }
  backend::DeviceDescription d;
  d.kind = backend::DeviceKind::kCuda;
  d.id = "cuda:" + std::to_string(index);
  d.label = dev.name + " (" + sm + ", " + std::to_string(dev.memory_total >> 30) + " GiB)";
  d.memory_total = dev.memory_total;
  d.memory_free = dev.memory_free;
  return std::unique_ptr<backend::Backend>(new CudaBackend(index, std::move(d)));
}

std::string CudaBackend::unsupported_reason(const graph::Graph& graph, const graph::Node& node,
                                            Precision precision) const {
  return cuda_unsupported_reason(graph, node, precision);
}

Status cuda_memory_info(int device_index, size_t* free_bytes, size_t* total_bytes) {
  DeviceGuard guard;
  TB_RETURN_IF_ERROR(guard.set(device_index));
  TB_CUDA_RETURN_IF_ERROR(cudaMemGetInfo(free_bytes, total_bytes));
  return Status::ok();
}

Result<size_t> CudaBackend::free_memory() const {
  size_t free_bytes = 0, total_bytes = 0;
  TB_RETURN_IF_ERROR(cuda_memory_info(index_, &free_bytes, &total_bytes));
  return free_bytes;
}

Result<std::unique_ptr<backend::Executable>> CudaBackend::compile(
    const graph::Graph& specialized, const backend::CompileOptions& options) {
  return CudaExecutable::compile(*this, index_, specialized, options);
}

}  // namespace toonbox::cuda
