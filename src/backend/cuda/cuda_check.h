// Error checking for CUDA runtime, cuDNN and cuBLAS calls: every call's status becomes
// a toonbox Status that names the call, the library's error and the source line, as
// ONNX Runtime's CUDA_RETURN_IF_ERROR does. Nothing here aborts: an out-of-memory on
// one request must leave the process (a server) running.
//
// Allocation failures map to StatusCode::kOutOfMemory (cudaErrorMemoryAllocation,
// cuDNN's host/device allocation failures, CUBLAS_STATUS_ALLOC_FAILED); a missing or
// unusable device to kUnavailable; cuDNN's "not supported" family to kUnimplemented
// (the conv step then falls back to the direct kernel); everything else to kInternal.
//
// Kernel launchers (kernels/*.h) return cudaGetLastError() after their launch, so
// TB_CUDA_RETURN_IF_ERROR(launch_x(...)) names the launcher that failed.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <string>

#include "core/status.h"

namespace toonbox::cuda {

Status cuda_status(cudaError_t error, const char* call, const char* file, int line);
Status cudnn_status(cudnnStatus_t status, const char* call, const char* file, int line);
Status cublas_status(cublasStatus_t status, const char* call, const char* file, int line);

// "cudaErrorMemoryAllocation (out of memory)".
std::string cuda_error_text(cudaError_t error);
const char* cublas_status_name(cublasStatus_t status);

}  // namespace toonbox::cuda

#define TB_CUDA_RETURN_IF_ERROR(call)                                                  \
  do {                                                                                 \
    const cudaError_t tb_cuda_err_ = (call);                                           \
    if (tb_cuda_err_ != cudaSuccess)                                                   \
      return ::toonbox::cuda::cuda_status(tb_cuda_err_, #call, __FILE__, __LINE__);    \
  } while (0)

#define TB_CUDNN_RETURN_IF_ERROR(call)                                                 \
  do {                                                                                 \
    const cudnnStatus_t tb_cudnn_st_ = (call);                                         \
    if (tb_cudnn_st_ != CUDNN_STATUS_SUCCESS)                                          \
      return ::toonbox::cuda::cudnn_status(tb_cudnn_st_, #call, __FILE__, __LINE__);   \
  } while (0)

#define TB_CUBLAS_RETURN_IF_ERROR(call)                                                \
  do {                                                                                 \
    const cublasStatus_t tb_cublas_st_ = (call);                                       \
    if (tb_cublas_st_ != CUBLAS_STATUS_SUCCESS)                                        \
      return ::toonbox::cuda::cublas_status(tb_cublas_st_, #call, __FILE__, __LINE__); \
  } while (0)
