#include "backend/cuda/cuda_handles.h"

#include <cstdio>

#include "backend/cuda/cuda_check.h"

namespace toonbox::cuda {

std::string format_bytes(size_t bytes) {
  char buf[64];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof(buf), "%.2f GiB", b / (1024.0 * 1024 * 1024));
  else if (b >= 1024.0 * 1024) std::snprintf(buf, sizeof(buf), "%.2f MiB", b / (1024.0 * 1024));
  else if (b >= 1024.0) std::snprintf(buf, sizeof(buf), "%.2f KiB", b / 1024.0);
  else std::snprintf(buf, sizeof(buf), "%zu B", bytes);
  return buf;
}

Result<DeviceBuffer> DeviceBuffer::allocate(size_t bytes, const std::string& what) {
  DeviceBuffer buffer;
  if (bytes == 0) return buffer;
  const cudaError_t err = cudaMalloc(&buffer.ptr_, bytes);
  if (err != cudaSuccess) {
    buffer.ptr_ = nullptr;
    Status status = cuda_status(err, "cudaMalloc", __FILE__, __LINE__);
    size_t free_bytes = 0, total_bytes = 0;
    std::string memory;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
      memory = " (" + format_bytes(free_bytes) + " free of " + format_bytes(total_bytes) + ")";
    } else {
      (void)cudaGetLastError();
    }
    return status.with_context("allocating " + format_bytes(bytes) + " of device memory for " +
                               what + memory);
  }
  buffer.bytes_ = bytes;
  return buffer;
}

Result<PinnedBuffer> PinnedBuffer::allocate(size_t bytes, const std::string& what) {
  PinnedBuffer buffer;
  if (bytes == 0) return buffer;
  const cudaError_t err = cudaHostAlloc(&buffer.ptr_, bytes, cudaHostAllocDefault);
  if (err != cudaSuccess) {
    buffer.ptr_ = nullptr;
    return cuda_status(err, "cudaHostAlloc", __FILE__, __LINE__)
        .with_context("allocating " + format_bytes(bytes) + " of pinned host memory for " + what);
  }
  buffer.bytes_ = bytes;
  return buffer;
}

Result<UniqueStream> create_stream() {
  cudaStream_t s = nullptr;
  TB_CUDA_RETURN_IF_ERROR(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return UniqueStream(s);
}

Result<UniqueEvent> create_event() {
  cudaEvent_t e = nullptr;
  TB_CUDA_RETURN_IF_ERROR(cudaEventCreate(&e));
  return UniqueEvent(e);
}

Result<UniqueCudnn> create_cudnn(cudaStream_t stream) {
  cudnnHandle_t h = nullptr;
  TB_CUDNN_RETURN_IF_ERROR(cudnnCreate(&h));
  UniqueCudnn handle(h);
  TB_CUDNN_RETURN_IF_ERROR(cudnnSetStream(h, stream));
  return handle;
}

Result<UniqueCublas> create_cublas(cudaStream_t stream) {
  cublasHandle_t h = nullptr;
  TB_CUBLAS_RETURN_IF_ERROR(cublasCreate(&h));
  UniqueCublas handle(h);
  TB_CUBLAS_RETURN_IF_ERROR(cublasSetStream(h, stream));
  // The default math mode keeps fp32 GEMMs in fp32 (no TF32); fp16 GEMMs use tensor
  // cores with the fp32 compute type we ask for in each call.
  TB_CUBLAS_RETURN_IF_ERROR(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH));
  return handle;
}

Result<UniqueTensorDesc> create_tensor_desc() {
  cudnnTensorDescriptor_t d = nullptr;
  TB_CUDNN_RETURN_IF_ERROR(cudnnCreateTensorDescriptor(&d));
  return UniqueTensorDesc(d);
}

Result<UniqueFilterDesc> create_filter_desc() {
  cudnnFilterDescriptor_t d = nullptr;
  TB_CUDNN_RETURN_IF_ERROR(cudnnCreateFilterDescriptor(&d));
  return UniqueFilterDesc(d);
}

Result<UniqueConvDesc> create_conv_desc() {
  cudnnConvolutionDescriptor_t d = nullptr;
  TB_CUDNN_RETURN_IF_ERROR(cudnnCreateConvolutionDescriptor(&d));
  return UniqueConvDesc(d);
}

Status DeviceGuard::set(int device) {
  int current = -1;
  TB_CUDA_RETURN_IF_ERROR(cudaGetDevice(&current));
  if (current != device) TB_CUDA_RETURN_IF_ERROR(cudaSetDevice(device));
  if (previous_ < 0) previous_ = current;
  return Status::ok();
}

}  // namespace toonbox::cuda
