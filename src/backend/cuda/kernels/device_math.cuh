// Device helpers shared by the kernels: float <-> storage type, the unary functions,
// vector packs for 8/16-byte loads. Every op computes in float and rounds once when it
// stores, so fp16 storage loses no more than one rounding per op.
#pragma once

#include <cuda_fp16.h>

#include <cstdint>

#include "graph/op.h"

namespace toonbox::cuda {

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }

template <typename T>
__device__ __forceinline__ T from_float(float x);
template <>
__device__ __forceinline__ float from_float<float>(float x) { return x; }
template <>
__device__ __forceinline__ __half from_float<__half>(float x) { return __float2half_rn(x); }

// Element i of a 4-D image tensor, [N, C, H, W] or (kNhwc) [N, H, W, C], as its
// coordinates: the index arithmetic every per-output-element kernel starts with.
struct ImageIndex {
  int64_t n;
  int c, y, x;
};
template <bool kNhwc>
__device__ __forceinline__ ImageIndex unflatten_image_index(int64_t i, int c, int h, int w) {
  ImageIndex p;
  if constexpr (kNhwc) {
    p.c = static_cast<int>(i % c);
    i /= c;
    p.x = static_cast<int>(i % w);
    i /= w;
    p.y = static_cast<int>(i % h);
    i /= h;
  } else {
    p.x = static_cast<int>(i % w);
    i /= w;
    p.y = static_cast<int>(i % h);
    i /= h;
    p.c = static_cast<int>(i % c);
    i /= c;
  }
  p.n = i;
  return p;
}

// The way back: the offset of element (n, c, y, x) in such a tensor of `channels`
// channels and h x w pixels.
template <bool kNhwc>
__device__ __forceinline__ int64_t image_offset(int64_t n, int c, int y, int x, int channels,
                                                int h, int w) {
  return kNhwc ? ((n * h + y) * w + x) * channels + c
               : ((n * channels + c) * h + y) * static_cast<int64_t>(w) + x;
}

// Same definitions as reference_unary (ops/reference.cc), in float. The comparisons are
// written as the reference writes them so NaN goes the same way.
__device__ __forceinline__ float apply_unary(graph::UnaryOp op, float x, float alpha, float beta) {
  switch (op) {
    case graph::UnaryOp::kIdentity:
      return x;
    case graph::UnaryOp::kRelu:
      return x > 0.f ? x : 0.f;
    case graph::UnaryOp::kLeakyRelu:
      return x > 0.f ? x : x * alpha;
    case graph::UnaryOp::kSigmoid:
      return 1.f / (1.f + expf(-x));
    case graph::UnaryOp::kTanh:
      return tanhf(x);
    case graph::UnaryOp::kClip: {
      const float lo = x < alpha ? alpha : x;  // std::max(x, alpha)
      return beta < lo ? beta : lo;            // std::min(lo, beta)
    }
    case graph::UnaryOp::kSquare:
      return x * x;
    case graph::UnaryOp::kSqrt:
      return sqrtf(x);
    case graph::UnaryOp::kAbs:
      return fabsf(x);
    case graph::UnaryOp::kNeg:
      return -x;
    case graph::UnaryOp::kExp:
      return expf(x);
    case graph::UnaryOp::kLog:
      return logf(x);
    case graph::UnaryOp::kRound:
      return rintf(x);  // round half to even, as nearbyint
    case graph::UnaryOp::kFloor:
      return floorf(x);
    case graph::UnaryOp::kErf:
      return erff(x);
    case graph::UnaryOp::kHardSigmoid: {
      const float v = alpha * x + beta;
      return v < 0.f ? 0.f : (v > 1.f ? 1.f : v);
    }
    case graph::UnaryOp::kElu:
      return x > 0.f ? x : alpha * expm1f(x);
    case graph::UnaryOp::kTrunc:
      return truncf(x);
    case graph::UnaryOp::kNonZero:
      return x != 0.f ? 1.f : 0.f;
    case graph::UnaryOp::kNot:
      return x == 0.f ? 1.f : 0.f;
  }
  return x;
}

__device__ __forceinline__ float apply_binary(graph::BinaryOp op, float a, float b) {
  switch (op) {
    case graph::BinaryOp::kAdd:
      return a + b;
    case graph::BinaryOp::kSub:
      return a - b;
    case graph::BinaryOp::kMul:
      return a * b;
    case graph::BinaryOp::kDiv:
      return a / b;
    case graph::BinaryOp::kMax:
      return a < b ? b : a;  // std::max(a, b)
    case graph::BinaryOp::kMin:
      return b < a ? b : a;  // std::min(a, b)
    case graph::BinaryOp::kPow:
      return powf(a, b);
    case graph::BinaryOp::kEqual:
      return a == b ? 1.f : 0.f;
    case graph::BinaryOp::kLess:
      return a < b ? 1.f : 0.f;
    case graph::BinaryOp::kLessEqual:
      return a <= b ? 1.f : 0.f;
    case graph::BinaryOp::kGreater:
      return a > b ? 1.f : 0.f;
    case graph::BinaryOp::kGreaterEqual:
      return a >= b ? 1.f : 0.f;
    case graph::BinaryOp::kAnd:
      return (a != 0.f && b != 0.f) ? 1.f : 0.f;
    case graph::BinaryOp::kOr:
      return (a != 0.f || b != 0.f) ? 1.f : 0.f;
    case graph::BinaryOp::kXor:
      return ((a != 0.f) != (b != 0.f)) ? 1.f : 0.f;
  }
  return a;
}

// V consecutive elements moved with one vector load/store.
template <typename T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};

// Elements per vector access: 16 bytes of float, 8 bytes of half (4 lanes either way,
// which keeps tails and alignment rules the same for both types).
inline constexpr int kVec = 4;

inline bool is_aligned(const void* p, size_t bytes) {
  return reinterpret_cast<uintptr_t>(p) % bytes == 0;
}

// Whether element indices up to `n` (and the grid-stride loop's overshoot, at most one
// stride of 65535 * 8 blocks of up to 1024 threads) fit a 32-bit int: kernels then index
// in int, whose division is several times cheaper than int64's.
inline bool fits_int32(long long n) { return n < (1LL << 31) - (65535LL * 8 * 1024); }

// Grid for the row kernels (resize, pad, depthwise conv): blockIdx.y walks the output
// rows (striding on past 65535 of them), blockIdx.x covers one row's `row_items`.
inline dim3 rows_grid(int row_items, int rows, int threads) {
  const int across = (row_items + threads - 1) / threads;
  return dim3(across < 1024 ? across : 1024, rows < 65535 ? rows : 65535);
}

// Grid for a grid-stride loop over `work` items: enough blocks to fill the GPU, capped
// so huge tensors loop instead of launching millions of blocks.
inline unsigned grid_for(long long work, int threads) {
  const long long blocks = (work + threads - 1) / threads;
  const long long cap = 65535LL * 8;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > cap ? cap : blocks));
}

}  // namespace toonbox::cuda
