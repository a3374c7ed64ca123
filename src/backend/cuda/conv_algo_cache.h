// The cuDNN algorithm cache, as PyTorch's (aten/src/ATen/native/cudnn/Conv_v7.cpp): a
// process-wide map from every parameter that can change cuDNN's choice, packed into a
// zeroed POD compared bytewise, to the ranked list of algorithms the search found. A
// second compile of the same convolution (another executable, the same model at the
// same size) does not search again. Every insert also goes to a file per GPU
// (conv_algo_disk_cache.h), read on the first lookup, so other processes reuse it.
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace toonbox::cuda {

struct ConvAlgoKey {
  ConvAlgoKey() { std::memset(static_cast<void*>(this), 0, sizeof(*this)); }  // padding bytes too: compared bytewise
  int32_t device;
  int32_t cudnn_version;
  int32_t data_type;  // cudnnDataType_t of x, w, y
  int32_t layout;     // cudnnTensorFormat_t
  int32_t math_type;  // requested cudnnMathType_t
  int32_t n, c, h, w;  // input as cuDNN sees it (after any explicit asymmetric padding)
  int32_t k, r, s;     // filters: out channels, kh, kw
  int32_t pad_h, pad_w, stride_h, stride_w, dilation_h, dilation_w, groups;
  // The graph-API path (conv_graph_api.cc): api 1, the input before any padding, pad_h/pad_w
  // the top/left padding and these the bottom/right, and the fused epilogue's parameters.
  // A timed choice between cuDNN and one of our kernels (conv_steps.cc): api 2 or 3, keyed
  // the same way; its ranked list says which side won.
  int32_t api;  // 0 legacy cudnnConvolutionForward, 1 graph API, 2/3 own kernel vs cuDNN
  int32_t pad_bottom, pad_right;
  int32_t has_bias, activation, activation_alpha;  // activation_alpha: the float's bits
};
static_assert(std::is_trivially_copyable_v<ConvAlgoKey>);

struct ConvAlgo {
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
  size_t workspace = 0;
  float time_ms = 0;
  // Graph API: the engine's position in the mode-A heuristics list of the variant below.
  int engine = -1;
  uint8_t graph_fused = 0, graph_explicit_pad = 0;
};

class ConvAlgoCache {
 public:
  static ConvAlgoCache& instance();

  // The ranked algorithms for `key` (fastest first), counting a hit (with count_hit);
  // nullopt on a miss.
  std::optional<std::vector<ConvAlgo>> find(const ConvAlgoKey& key, bool count_hit = true);
  void insert(const ConvAlgoKey& key, std::vector<ConvAlgo> ranked);
  size_t size();

 private:
  struct Hash {
    size_t operator()(const ConvAlgoKey& k) const;
  };
  struct Equal {
    bool operator()(const ConvAlgoKey& a, const ConvAlgoKey& b) const {
      return std::memcmp(&a, &b, sizeof(ConvAlgoKey)) == 0;
    }
  };
  std::mutex mutex_;
  std::unordered_map<ConvAlgoKey, std::vector<ConvAlgo>, Hash, Equal> map_;
};

}  // namespace toonbox::cuda
