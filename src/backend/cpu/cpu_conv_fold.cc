#include "backend/cpu/cpu_conv_fold.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <string>

namespace toonbox::cpu {

namespace {
constexpr int kVectorChannels = 16;  // an AVX-512 vector of float

// Where oneDNN computes in 16-wide AVX-512 vectors, the fold measured 2.4x faster
// (White-box's output conv at 976x720 on an AVX-512 Xeon: 187 -> 77 ms); with AVX2 its
// folded shape goes to oneDNN's GEMM convolution instead and measured 1.9x slower (an AVX2
// EPYC: 568 -> 1092 ms). TOONBOX_CPU_CONV_FOLD=1 folds anyway, =0 never (to compare).
bool fold_enabled() {
  const char* v = std::getenv("TOONBOX_CPU_CONV_FOLD");
  if (v != nullptr && std::string(v) == "0") return false;
  if (v != nullptr && std::string(v) == "1") return true;
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto avx512 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (isa & avx512) == avx512;  // the ISA bits include AVX-512's core set
}
}  // namespace

ConvFold choose_conv_fold(const graph::Conv2DParams& p, const Shape& weights, const Shape& output) {
  ConvFold fold;
  const int64_t k = weights[0];
  const bool applies = fold_enabled() && p.layout == graph::Layout::kNHWC && p.groups == 1 &&
                       p.stride_h == 1 && p.stride_w == 1 && p.dilation_h == 1 &&
                       p.dilation_w == 1 && k < kVectorChannels / 2 && output.size() == 4;
  if (!applies) return fold;
  const int64_t out_w = output[2];
  for (int f = static_cast<int>(kVectorChannels / k); f >= 2; --f) {
    if (out_w % f != 0) continue;
    // The folded conv gives (in_w + left + right' - (s + f - 1)) / f + 1 columns, and the
    // original in_w + left + right - s + 1 = out_w: right' = right makes that out_w / f,
    // and its last window ends where the original's last one does.
    fold.factor = f;
    fold.pad_right = p.pad_right;
    return fold;
  }
  return fold;
}

std::vector<float> fold_conv_weights(const float* w, const Shape& shape, int factor) {
  const int64_t k = shape[0], c = shape[1], r = shape[2], s = shape[3], wide = s + factor - 1;
  std::vector<float> out(static_cast<size_t>(factor * k * c * r * wide), 0.f);
  for (int j = 0; j < factor; ++j)
    for (int64_t o = 0; o < k; ++o)
      for (int64_t ci = 0; ci < c; ++ci)
        for (int64_t ri = 0; ri < r; ++ri)
          for (int64_t si = 0; si < s; ++si)
            out[(((j * k + o) * c + ci) * r + ri) * wide + si + j] = w[((o * c + ci) * r + ri) * s + si];
  return out;
}

std::vector<float> fold_conv_bias(const float* bias, int64_t k, int factor) {
  std::vector<float> out(static_cast<size_t>(factor * k));
  for (int j = 0; j < factor; ++j)
    for (int64_t o = 0; o < k; ++o) out[j * k + o] = bias[o];
  return out;
}

}  // namespace toonbox::cpu
