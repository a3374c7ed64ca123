// Owning wrappers for CUDA, cuDNN and cuBLAS objects. Creation returns a Status (an
// allocation can fail); destruction never throws and ignores errors, since a dying
// context cannot be helped from a destructor.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "core/status.h"

namespace toonbox::cuda {

std::string format_bytes(size_t bytes);  // "1.50 GiB"

// Memory from one CUDA allocator, released by `Free`; move-only. The two buffers below
// differ only in the allocator and in how they hand out the pointer.
template <typename Free>
class CudaMemory {
 public:
  CudaMemory() = default;
  ~CudaMemory() { reset(); }
  CudaMemory(CudaMemory&& other) noexcept { *this = std::move(other); }
  CudaMemory& operator=(CudaMemory&& other) noexcept {
    if (this != &other) {
      reset();
      ptr_ = other.ptr_;
      bytes_ = other.bytes_;
      other.ptr_ = nullptr;
      other.bytes_ = 0;
    }
    return *this;
  }
  CudaMemory(const CudaMemory&) = delete;
  CudaMemory& operator=(const CudaMemory&) = delete;

  void reset() {
    if (ptr_) Free{}(ptr_);
    ptr_ = nullptr;
    bytes_ = 0;
  }
  size_t size() const { return bytes_; }

 protected:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

struct CudaFree {
  void operator()(void* p) const { cudaFree(p); }
};
struct CudaFreeHost {
  void operator()(void* p) const { cudaFreeHost(p); }
};

// Device memory from cudaMalloc. On failure the status says how much was asked for,
// for what, and how much the device had free.
class DeviceBuffer : public CudaMemory<CudaFree> {
 public:
  static Result<DeviceBuffer> allocate(size_t bytes, const std::string& what);

  void* get() const { return ptr_; }
  template <typename T>
  T* as() const { return static_cast<T*>(ptr_); }
};

// Page-locked host memory, so that copies are asynchronous DMA transfers.
class PinnedBuffer : public CudaMemory<CudaFreeHost> {
 public:
  static Result<PinnedBuffer> allocate(size_t bytes, const std::string& what);

  std::byte* get() const { return static_cast<std::byte*>(ptr_); }
};

struct StreamDeleter {
  void operator()(cudaStream_t s) const { cudaStreamDestroy(s); }
};
struct EventDeleter {
  void operator()(cudaEvent_t e) const { cudaEventDestroy(e); }
};
struct GraphExecDeleter {
  void operator()(cudaGraphExec_t g) const { cudaGraphExecDestroy(g); }
};
struct CudnnDeleter {
  void operator()(cudnnHandle_t h) const { cudnnDestroy(h); }
};
struct CublasDeleter {
  void operator()(cublasHandle_t h) const { cublasDestroy(h); }
};
struct TensorDescDeleter {
  void operator()(cudnnTensorDescriptor_t d) const { cudnnDestroyTensorDescriptor(d); }
};
struct FilterDescDeleter {
  void operator()(cudnnFilterDescriptor_t d) const { cudnnDestroyFilterDescriptor(d); }
};
struct ConvDescDeleter {
  void operator()(cudnnConvolutionDescriptor_t d) const { cudnnDestroyConvolutionDescriptor(d); }
};

using UniqueStream = std::unique_ptr<std::remove_pointer_t<cudaStream_t>, StreamDeleter>;
using UniqueEvent = std::unique_ptr<std::remove_pointer_t<cudaEvent_t>, EventDeleter>;
using UniqueGraphExec = std::unique_ptr<std::remove_pointer_t<cudaGraphExec_t>, GraphExecDeleter>;
using UniqueCudnn = std::unique_ptr<std::remove_pointer_t<cudnnHandle_t>, CudnnDeleter>;
using UniqueCublas = std::unique_ptr<std::remove_pointer_t<cublasHandle_t>, CublasDeleter>;
using UniqueTensorDesc =
    std::unique_ptr<std::remove_pointer_t<cudnnTensorDescriptor_t>, TensorDescDeleter>;
using UniqueFilterDesc =
    std::unique_ptr<std::remove_pointer_t<cudnnFilterDescriptor_t>, FilterDescDeleter>;
using UniqueConvDesc =
    std::unique_ptr<std::remove_pointer_t<cudnnConvolutionDescriptor_t>, ConvDescDeleter>;

Result<UniqueStream> create_stream();
Result<UniqueEvent> create_event();
Result<UniqueCudnn> create_cudnn(cudaStream_t stream);
Result<UniqueCublas> create_cublas(cudaStream_t stream);
Result<UniqueTensorDesc> create_tensor_desc();
Result<UniqueFilterDesc> create_filter_desc();
Result<UniqueConvDesc> create_conv_desc();

// Makes `device` current for this thread and restores the previous one on scope exit:
// the current device is per thread, and a caller (a server worker) may use several.
class DeviceGuard {
 public:
  DeviceGuard() = default;
  ~DeviceGuard() {
    if (previous_ >= 0) cudaSetDevice(previous_);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;
  Status set(int device);

 private:
  int previous_ = -1;
};

}  // namespace toonbox::cuda
