#include "backend/cuda/kernels/pixels.h"

#include "backend/cuda/kernels/device_math.cuh"

namespace toonbox::cuda {

namespace {

constexpr int kThreads = 256;

// One thread per tensor element. The arithmetic is written with the _rn intrinsics so
// the compiler cannot contract it into an FMA: the host computes lo + px * scale as a
// rounded product and a rounded sum, and the results must agree bit for bit.
template <typename T, bool kNhwc>
__global__ void pixels_to_tensor(const uint8_t* __restrict__ rgb, int image_h, int image_w,
                                 PixelTensorGeometry g, T* __restrict__ tensor, int64_t total) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total; i += stride) {
    const ImageIndex p = unflatten_image_index<kNhwc>(i, 3, g.height, g.width);
    const int sy = min(max(p.y - g.margin, 0), image_h - 1);
    const int sx = min(max(p.x - g.margin, 0), image_w - 1);
    const int src = g.bgr ? 2 - p.c : p.c;
    const float px = rgb[((p.n * image_h + sy) * static_cast<int64_t>(image_w) + sx) * 3 + src];
    tensor[i] = from_float<T>(__fadd_rn(g.lo, __fmul_rn(px, g.scale)));
  }
}

// One thread per output byte. std::lround (half away from zero) and the clamp to
// 0..255 as output_to_image does; a value lround cannot represent (NaN, infinities)
// becomes 0 there on x86-64 (LONG_MIN, clamped), so here too.
template <typename T, bool kNhwc>
__global__ void tensor_to_pixels(const T* __restrict__ tensor, PixelTensorGeometry g, int out_h, int out_w,
                                 uint8_t* __restrict__ rgb, int64_t total) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total; i += stride) {
    const int c = static_cast<int>(i % 3);
    const int64_t pixel = i / 3;
    const int x = static_cast<int>(pixel % out_w);
    const int64_t rest = pixel / out_w;
    const int y = static_cast<int>(rest % out_h);
    const int64_t n = rest / out_h;
    const int k = g.channels == 1 ? 0 : g.bgr ? 2 - c : c;
    const float v = to_float(tensor[image_offset<kNhwc>(n, k, y + g.margin, x + g.margin, g.channels,
                                                        g.height, g.width)]);
    const float scaled = __fmul_rn(__fsub_rn(v, g.lo), g.scale);
    float r = roundf(scaled);
    if (!(fabsf(r) < 9.2e18f)) r = 0.f;
    rgb[i] = static_cast<uint8_t>(fminf(fmaxf(r, 0.f), 255.f));
  }
}


}  // namespace

cudaError_t launch_pixels_to_tensor(const uint8_t* rgb, int image_h, int image_w,
                                    const PixelTensorGeometry& g, void* tensor, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(g.n) * 3 * g.height * g.width;
  if (total <= 0 || image_h <= 0 || image_w <= 0) return cudaSuccess;
  const unsigned grid = grid_for(total, kThreads);
  if (g.half) {
    auto* t = static_cast<__half*>(tensor);
    if (g.nhwc) pixels_to_tensor<__half, true><<<grid, kThreads, 0, stream>>>(rgb, image_h, image_w, g, t, total);
    else pixels_to_tensor<__half, false><<<grid, kThreads, 0, stream>>>(rgb, image_h, image_w, g, t, total);
  } else {
    auto* t = static_cast<float*>(tensor);
    if (g.nhwc) pixels_to_tensor<float, true><<<grid, kThreads, 0, stream>>>(rgb, image_h, image_w, g, t, total);
    else pixels_to_tensor<float, false><<<grid, kThreads, 0, stream>>>(rgb, image_h, image_w, g, t, total);
  }
  return cudaGetLastError();
}

cudaError_t launch_tensor_to_pixels(const void* tensor, const PixelTensorGeometry& g, int out_h,
                                    int out_w, uint8_t* rgb, cudaStream_t stream) {
  const int64_t total = static_cast<int64_t>(g.n) * out_h * out_w * 3;
  if (total <= 0) return cudaSuccess;
  const unsigned grid = grid_for(total, kThreads);
  if (g.half) {
    const auto* t = static_cast<const __half*>(tensor);
    if (g.nhwc) tensor_to_pixels<__half, true><<<grid, kThreads, 0, stream>>>(t, g, out_h, out_w, rgb, total);
    else tensor_to_pixels<__half, false><<<grid, kThreads, 0, stream>>>(t, g, out_h, out_w, rgb, total);
  } else {
    const auto* t = static_cast<const float*>(tensor);
    if (g.nhwc) tensor_to_pixels<float, true><<<grid, kThreads, 0, stream>>>(t, g, out_h, out_w, rgb, total);
    else tensor_to_pixels<float, false><<<grid, kThreads, 0, stream>>>(t, g, out_h, out_w, rgb, total);
  }
  return cudaGetLastError();
}

}  // namespace toonbox::cuda
