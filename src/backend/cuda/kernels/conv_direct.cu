#include "backend/cuda/kernels/conv_direct.h"
#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

template <typename T>
__device__ __forceinline__ float divided(float v, const ConvDivisor<T>& div, int n, int64_t pixel, int k) {
  if (!div.p) return v;
  return v / to_float(div.p[n * div.image + pixel * div.pixel_stride + static_cast<int64_t>(k) * div.channel_stride]);
}

template <typename T, bool kNhwc>
__global__ void conv_direct_kernel(const T* __restrict__ x, const T* __restrict__ w,
                                   const float* __restrict__ bias, T* __restrict__ y,
                                   ConvDirectDims d, graph::Activation act, int64_t total) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int k_per_group = d.k / d.groups;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total; i += stride) {
    const ImageIndex p = unflatten_image_index<kNhwc>(i, d.k, d.out_h, d.out_w);
    const int k = p.c, ox = p.x, oy = p.y;
    const int64_t n = p.n;
    const int c0 = (k / k_per_group) * d.cg;
    float acc = bias ? bias[k] : 0.f;
    for (int c = 0; c < d.cg; ++c) {
      for (int r = 0; r < d.r; ++r) {
        const int iy = oy * d.stride_h - d.pad_top + r * d.dilation_h;
        if (iy < 0 || iy >= d.h) continue;
        for (int s = 0; s < d.s; ++s) {
          const int ix = ox * d.stride_w - d.pad_left + s * d.dilation_w;
          if (ix < 0 || ix >= d.w) continue;
          const int64_t xi = image_offset<kNhwc>(n, c0 + c, iy, ix, d.c, d.h, d.w);
          const int64_t wi = ((static_cast<int64_t>(k) * d.cg + c) * d.r + r) * d.s + s;
          acc += to_float(x[xi]) * to_float(w[wi]);
        }
      }
    }
    y[i] = from_float<T>(apply_unary(act.op, acc, act.alpha, act.beta));
  }
}

// NHWC depthwise (one input channel per group, any channel multiplier), row by row:
// blockIdx.y walks the output rows (n, oy), the threads of a row its (x, out channel)
// pairs, so neighbouring threads read neighbouring channels; 32-bit index arithmetic.
// kTaps > 0 fixes the kernel at kTaps x kTaps, so the loops unroll and every tap's load
// is issued before the first is used (runtime bounds leave the loads one after another,
// each waiting on memory: issue 13's profile had White-box's 3x3 box filters over
// 1024x1024x3 at 63-76 us, ~10x their memory time). kTaps == 0: any kernel size. The
// taps are summed in the generic kernel's order, so the two agree exactly.
template <typename T, int kTaps>
__global__ void depthwise_nhwc_rows_kernel(const T* __restrict__ x, const T* __restrict__ w,
                                           const float* __restrict__ bias, T* __restrict__ y,
                                           ConvDirectDims d, graph::Activation act, ConvDivisor<T> div) {
  const int kr = kTaps > 0 ? kTaps : d.r;
  const int ks = kTaps > 0 ? kTaps : d.s;
  const int k_per_group = d.k / d.groups;
  const int row_outputs = d.out_w * d.k;
  const int rows = d.n * d.out_h;
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    const int n = row / d.out_h, oy = row - n * d.out_h;
    const T* image = x + static_cast<int64_t>(n) * d.h * d.w * d.c;
    T* out_row = y + static_cast<int64_t>(row) * row_outputs;
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < row_outputs; j += gridDim.x * blockDim.x) {
      const int ox = j / d.k, k = j - ox * d.k;
      const int c = k / k_per_group;
      const T* wk = w + k * kr * ks;
      float acc = bias ? bias[k] : 0.f;
#pragma unroll
      for (int r = 0; r < kr; ++r) {
        const int iy = oy * d.stride_h - d.pad_top + r * d.dilation_h;
        const bool row_in = iy >= 0 && iy < d.h;
        const T* in_row = image + static_cast<int64_t>(row_in ? iy : 0) * d.w * d.c + c;
#pragma unroll
        for (int s = 0; s < ks; ++s) {
          const int ix = ox * d.stride_w - d.pad_left + s * d.dilation_w;
          // Outside the image the tap adds nothing (as the generic kernel's `continue`);
          // the load is predicated off, never out of bounds.
          if (row_in && ix >= 0 && ix < d.w) acc += to_float(in_row[ix * d.c]) * to_float(wk[r * ks + s]);
        }
      }
      const float v = apply_unary(act.op, acc, act.alpha, act.beta);
      out_row[j] = from_float<T>(divided(v, div, n, static_cast<int64_t>(oy) * d.out_w + ox, k));
    }
  }
}

// The 3x3 / 5x5 stride-1 undilated case, kOut neighbouring outputs of one channel per
// thread: the kOut + kTaps - 1 inputs of each kernel row are loaded once into registers
// and shared by the kOut outputs, and the index arithmetic is paid once per kOut outputs
// (one output per thread left the 3x3 box filters at 45 us, still ~6x their memory time).
// Same summation order as the generic kernel; a tap outside the image adds 0 * w, an
// exact zero for finite weights, where the generic kernel skips it.
template <typename T, int kTaps, int kOut>
__global__ void depthwise_nhwc_rows_s1_kernel(const T* __restrict__ x, const T* __restrict__ w,
                                              const float* __restrict__ bias, T* __restrict__ y,
                                              ConvDirectDims d, graph::Activation act, ConvDivisor<T> div) {
  const int k_per_group = d.k / d.groups;
  const int groups_per_row = (d.out_w + kOut - 1) / kOut;
  const int row_items = groups_per_row * d.k;
  const int rows = d.n * d.out_h;
  for (int row = blockIdx.y; row < rows; row += gridDim.y) {
    const int n = row / d.out_h, oy = row - n * d.out_h;
    const T* image = x + static_cast<int64_t>(n) * d.h * d.w * d.c;
    T* out_row = y + static_cast<int64_t>(row) * d.out_w * d.k;
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < row_items; j += gridDim.x * blockDim.x) {
      const int g = j / d.k, k = j - g * d.k;
      const int c = k / k_per_group;
      const int ox0 = g * kOut;
      float wk[kTaps * kTaps];
#pragma unroll
      for (int t = 0; t < kTaps * kTaps; ++t) wk[t] = to_float(w[k * kTaps * kTaps + t]);
      float acc[kOut];
#pragma unroll
      for (int o = 0; o < kOut; ++o) acc[o] = bias ? bias[k] : 0.f;
#pragma unroll
      for (int r = 0; r < kTaps; ++r) {
        const int iy = oy - d.pad_top + r * d.dilation_h;
        if (iy < 0 || iy >= d.h) continue;  // the whole kernel row adds nothing
        const T* in_row = image + static_cast<int64_t>(iy) * d.w * d.c + c;
        float v[kOut + kTaps - 1];
#pragma unroll
        for (int t = 0; t < kOut + kTaps - 1; ++t) {
          const int ix = ox0 - d.pad_left + t;
          v[t] = ix >= 0 && ix < d.w ? to_float(in_row[ix * d.c]) : 0.f;
        }
#pragma unroll
        for (int o = 0; o < kOut; ++o)
#pragma unroll
          for (int s = 0; s < kTaps; ++s) acc[o] += v[o + s] * wk[r * kTaps + s];
      }
#pragma unroll
      for (int o = 0; o < kOut; ++o)
        if (ox0 + o < d.out_w) {
          const float v = apply_unary(act.op, acc[o], act.alpha, act.beta);
          out_row[(ox0 + o) * d.k + k] =
              from_float<T>(divided(v, div, n, static_cast<int64_t>(oy) * d.out_w + ox0 + o, k));
        }
    }
  }
}

template <typename T, int kTaps>
void launch_depthwise_rows(const T* x, const T* w, const float* bias, T* y, const ConvDirectDims& d,
                           graph::Activation activation, cudaStream_t stream, const ConvDivisor<T>& div) {
  const int row_outputs = d.out_w * d.k;
  const dim3 grid = rows_grid(row_outputs, d.n * d.out_h, kThreads);
  depthwise_nhwc_rows_kernel<T, kTaps><<<grid, kThreads, 0, stream>>>(x, w, bias, y, d, activation, div);
}

bool depthwise_rows_fit(const ConvDirectDims& d) {
  return d.nhwc && d.cg == 1 && d.groups == d.c && static_cast<int64_t>(d.out_w) * d.k < (1LL << 30) &&
         static_cast<int64_t>(d.w) * d.c < (1LL << 30) && static_cast<int64_t>(d.n) * d.out_h < (1LL << 30);
}

}  // namespace

template <typename T>
cudaError_t launch_conv_direct(const T* x, const T* w, const float* bias, T* y,
                               const ConvDirectDims& d, graph::Activation activation,
                               cudaStream_t stream, const ConvDivisor<T>& divisor) {
  const int64_t total = static_cast<int64_t>(d.n) * d.k * d.out_h * d.out_w;
  if (total <= 0) return cudaSuccess;
  if (depthwise_rows_fit(d)) {
    constexpr int kOut = 4;
    const bool s1 = d.stride_h == 1 && d.stride_w == 1 && d.dilation_w == 1;
    if (s1 && (d.r == 3 || d.r == 5) && d.s == d.r) {
      const int row_items = (d.out_w + kOut - 1) / kOut * d.k;
      const dim3 grid = rows_grid(row_items, d.n * d.out_h, kThreads);
      if (d.r == 3)
        depthwise_nhwc_rows_s1_kernel<T, 3, kOut><<<grid, kThreads, 0, stream>>>(x, w, bias, y, d, activation, divisor);
      else
        depthwise_nhwc_rows_s1_kernel<T, 5, kOut><<<grid, kThreads, 0, stream>>>(x, w, bias, y, d, activation, divisor);
      return cudaGetLastError();
    }
    if (d.r == 3 && d.s == 3) launch_depthwise_rows<T, 3>(x, w, bias, y, d, activation, stream, divisor);
    else if (d.r == 5 && d.s == 5) launch_depthwise_rows<T, 5>(x, w, bias, y, d, activation, stream, divisor);
    else launch_depthwise_rows<T, 0>(x, w, bias, y, d, activation, stream, divisor);
    return cudaGetLastError();
  }
  if (divisor.p) return cudaErrorInvalidValue;  // fused only on the row path
  if (d.nhwc)
    conv_direct_kernel<T, true><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, w, bias, y, d, activation, total);
  else
    conv_direct_kernel<T, false><<<grid_for(total, kThreads), kThreads, 0, stream>>>(x, w, bias, y, d, activation, total);
  return cudaGetLastError();
}

template cudaError_t launch_conv_direct<float>(const float*, const float*, const float*, float*,
                                               const ConvDirectDims&, graph::Activation,
                                               cudaStream_t, const ConvDivisor<float>&);
template cudaError_t launch_conv_direct<__half>(const __half*, const __half*, const float*, __half*,
                                                const ConvDirectDims&, graph::Activation,
                                                cudaStream_t, const ConvDivisor<__half>&);

}  // namespace toonbox::cuda
