// The CUDA Backend and the probe of the CUDA stack (driver, runtime, cuDNN, cuBLAS,
// devices) behind the plugin's entry points.
#pragma once

#include <memory>

#include "backend/backend.h"
#include "backend/cuda/plugin_api.h"

namespace toonbox::cuda {

// Fills `info`; an error names the failing layer ("no NVIDIA driver", "driver too old
// for CUDA runtime 13.0 (driver supports 12.4)", "no CUDA-capable device", ...).
Status probe_cuda(CudaRuntimeInfo* info);

Result<std::unique_ptr<backend::Backend>> create_cuda_backend(int device_index);

// cudaMemGetInfo on `device_index` (the current device is restored).
Status cuda_memory_info(int device_index, size_t* free_bytes, size_t* total_bytes);

class CudaBackend final : public backend::Backend {
 public:
  CudaBackend(int index, backend::DeviceDescription description)
      : index_(index), description_(std::move(description)) {}

  const backend::DeviceDescription& device() const override { return description_; }
  bool supports(Precision precision) const override {
    return precision == Precision::kFloat32 || precision == Precision::kFloat16 || precision == Precision::kTf32;
  }
  std::string unsupported_reason(const graph::Graph& graph, const graph::Node& node,
                                 Precision precision) const override;
  Result<std::unique_ptr<backend::Executable>> compile(
      const graph::Graph& specialized, const backend::CompileOptions& options) override;
  Result<size_t> free_memory() const override;
  int index() const { return index_; }

 private:
  int index_;
  backend::DeviceDescription description_;
};

}  // namespace toonbox::cuda
