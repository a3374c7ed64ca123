// Process-wide counters of the CUDA backend: tests check with them that the algorithm
// cache is hit and that 1x1 convolutions take the cuBLAS path; `bench` may report them.
#pragma once

#include <atomic>
#include <cstdint>

namespace toonbox::cuda {

struct Counters {
  std::atomic<int64_t> conv_algo_searches{0};    // cudnnFindConvolutionForwardAlgorithmEx runs
  std::atomic<int64_t> conv_algo_cache_hits{0};
  std::atomic<int64_t> convs_cudnn{0};           // Conv2D nodes compiled to cuDNN
  std::atomic<int64_t> convs_cublas{0};          // ... to a cuBLAS GEMM
  std::atomic<int64_t> convs_direct{0};          // ... to our direct kernel (cuDNN had none)
};

Counters& counters();

}  // namespace toonbox::cuda
