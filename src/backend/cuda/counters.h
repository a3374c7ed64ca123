// Process-wide counters of the CUDA backend: tests check with them that the algorithm
// cache is hit and that 1x1 convolutions take the cuBLAS path; `bench` may report them.
#pragma once

#include <atomic>
#include <cstdint>

namespace toonbox::cuda {

// The conv counters count what each Conv2D node compiled to (Step::count_as_chosen),
// not the candidates timed against it.
struct Counters {
  std::atomic<int64_t> conv_algo_searches{0};    // cudnnFindConvolutionForwardAlgorithmEx runs
  std::atomic<int64_t> conv_algo_cache_hits{0};
  std::atomic<int64_t> convs_cudnn{0};           // Conv2D nodes compiled to cuDNN
  std::atomic<int64_t> convs_cublas{0};          // ... to a cuBLAS GEMM
  std::atomic<int64_t> convs_direct{0};          // ... to one of our own kernels (direct, depthwise, few outputs)
  std::atomic<int64_t> convs_cudnn_graph{0};     // of convs_cudnn: through the graph API
  std::atomic<int64_t> convs_fused_epilogue{0};  // of those: bias/activation inside cuDNN's graph
  std::atomic<int64_t> conv_algo_disk_loaded{0};  // cache entries read from the on-disk file
  std::atomic<int64_t> graph_captures{0};        // CUDA graphs captured (one per executable)
  std::atomic<int64_t> graph_launches{0};        // runs replayed from a captured graph
  std::atomic<int64_t> conv_choices_timed{0};    // own kernel vs cuDNN, timed (conv_steps.cc)
  std::atomic<int64_t> conv_choices_cached{0};   // ... that choice found in the algorithm cache
};

Counters& counters();

}  // namespace toonbox::cuda
