#include "backend/cpu/cpu_conv_few_outputs.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace toonbox::cpu {

using graph::UnaryOp;

namespace {

constexpr int kMaxOutputs = 4;

float activate(const graph::Activation& a, float v) {
  switch (a.op) {
    case UnaryOp::kRelu: return v > 0.f ? v : 0.f;
    case UnaryOp::kLeakyRelu: return v > 0.f ? v : v * a.alpha;
    case UnaryOp::kSigmoid: return 1.f / (1.f + std::exp(-v));
    case UnaryOp::kTanh: return std::tanh(v);
    case UnaryOp::kClip: return std::min(std::max(v, a.alpha), a.beta);
    default: return v;  // kIdentity (few_outputs_conv_applies admits no other)
  }
}

// acc[o][x] += sum over taps t of w[o][t] * row[x + t], for K outputs at once: one load
// of the row feeds K multiply-adds. (Blocks of 32 columns kept in registers across all
// channels and taps measured slower, 46 against 34 ms for AnimeGANv3's output conv.)
template <int K>
inline __attribute__((always_inline)) void add_taps(float* const* acc, const float* row, const float* w,
                                                   int64_t w_stride, int64_t taps, int64_t width) {
  // Separate restrict pointers: the compiler may then keep the K rows apart and vectorize.
  float* __restrict a0 = acc[0];
  float* __restrict a1 = K > 1 ? acc[1] : nullptr;
  float* __restrict a2 = K > 2 ? acc[2] : nullptr;
  float* __restrict a3 = K > 3 ? acc[3] : nullptr;
  for (int64_t t = 0; t < taps; ++t) {
    const float w0 = w[t], w1 = K > 1 ? w[w_stride + t] : 0.f, w2 = K > 2 ? w[2 * w_stride + t] : 0.f,
                w3 = K > 3 ? w[3 * w_stride + t] : 0.f;
    const float* __restrict src = row + t;
    // -O2's cost model leaves this loop scalar (2x slower than oneDNN then); with simd
    // it runs in AVX2 vectors.
#pragma omp simd
    for (int64_t x = 0; x < width; ++x) {
      const float v = src[x];
      a0[x] += w0 * v;
      if constexpr (K > 1) a1[x] += w1 * v;
      if constexpr (K > 2) a2[x] += w2 * v;
      if constexpr (K > 3) a3[x] += w3 * v;
    }
  }
}

// The hot loop, compiled twice: for AVX2 + FMA (x86-64-v3) and for the baseline, picked
// at load time by the CPU (GCC's target_clones), so the binary still runs anywhere.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void add_taps_any(int k, float* const* acc,
                                                                            const float* row, const float* w,
                                                                            int64_t w_stride, int64_t taps,
                                                                            int64_t width) {
  switch (k) {
    case 1: return add_taps<1>(acc, row, w, w_stride, taps, width);
    case 2: return add_taps<2>(acc, row, w, w_stride, taps, width);
    case 3: return add_taps<3>(acc, row, w, w_stride, taps, width);
    default: return add_taps<4>(acc, row, w, w_stride, taps, width);
  }
}

bool disabled_by_env() {
  const char* v = std::getenv("TOONBOX_CPU_FEW_OUTPUTS");
  return v != nullptr && v[0] == '0';
}

}  // namespace

bool few_outputs_conv_applies(const graph::Conv2DParams& p, const Shape& weights) {
  if (disabled_by_env() || weights.size() != 4) return false;
  const int64_t k = weights[0], r = weights[2], s = weights[3];
  // Below 3x3 oneDNN's kernels are as good (a 1x1 is a GEMM).
  return k >= 1 && k <= kMaxOutputs && r * s >= 9 && s <= 15 && p.groups == 1 && p.stride_h == 1 &&
         p.stride_w == 1 && p.dilation_h == 1 && p.dilation_w == 1 &&
         (p.activation.op == UnaryOp::kIdentity || p.activation.op == UnaryOp::kRelu ||
          p.activation.op == UnaryOp::kLeakyRelu || p.activation.op == UnaryOp::kSigmoid ||
          p.activation.op == UnaryOp::kTanh || p.activation.op == UnaryOp::kClip);
}

void conv_few_outputs(const FewOutputsConvDims& d, const float* x, const float* w, const float* bias,
                      const graph::Activation& act, float* y) {
  const int64_t padded_w = d.out_w + d.s - 1;  // one gathered input row: every tap's reach
  const int64_t rows = d.n * d.out_h;
  const int k = static_cast<int>(d.k);
#pragma omp parallel
  {
    std::vector<float> planes(static_cast<size_t>(d.c * padded_w));
    std::vector<float> acc_rows(static_cast<size_t>(d.k * d.out_w));
    float* acc[kMaxOutputs] = {};
    for (int o = 0; o < k; ++o) acc[o] = acc_rows.data() + o * d.out_w;
#pragma omp for schedule(static)
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t n = row / d.out_h, oy = row % d.out_h;
      for (int o = 0; o < k; ++o) std::fill(acc[o], acc[o] + d.out_w, bias ? bias[o] : 0.f);
      for (int64_t r = 0; r < d.r; ++r) {
        const int64_t iy = oy - d.pad_top + r;
        if (iy < 0 || iy >= d.h) continue;  // a zero row adds nothing
        // Gather input row iy as one zero-padded row per channel: planes[c][j] is input
        // column j - pad_left.
        std::fill(planes.begin(), planes.end(), 0.f);
        const int64_t j0 = std::min(padded_w, d.pad_left), j1 = std::max(j0, std::min(padded_w, d.w + d.pad_left));
        if (d.nhwc) {
          const float* src = x + ((n * d.h + iy) * d.w) * d.c;
          for (int64_t j = j0; j < j1; ++j) {
            const float* px = src + (j - d.pad_left) * d.c;
            for (int64_t c = 0; c < d.c; ++c) planes[c * padded_w + j] = px[c];
          }
        } else {
          for (int64_t c = 0; c < d.c; ++c) {
            const float* src = x + ((n * d.c + c) * d.h + iy) * d.w;
            std::memcpy(&planes[c * padded_w + j0], src + (j0 - d.pad_left), (j1 - j0) * sizeof(float));
          }
        }
        // Weight (o, c, r, t) is at w[((o * C + c) * R + r) * S + t].
        for (int64_t c = 0; c < d.c; ++c)
          add_taps_any(k, acc, &planes[c * padded_w], w + (c * d.r + r) * d.s, d.c * d.r * d.s, d.s, d.out_w);
      }
      for (int o = 0; o < k; ++o) {
        const float* a = acc[o];
        if (d.nhwc) {
          float* dst = y + ((n * d.out_h + oy) * d.out_w) * d.k + o;
          for (int64_t xo = 0; xo < d.out_w; ++xo) dst[xo * d.k] = activate(act, a[xo]);
        } else {
          float* dst = y + ((n * d.k + o) * d.out_h + oy) * d.out_w;
          for (int64_t xo = 0; xo < d.out_w; ++xo) dst[xo] = activate(act, a[xo]);
        }
      }
    }
  }
}

}  // namespace toonbox::cpu
