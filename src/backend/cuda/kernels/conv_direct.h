// A direct convolution (conv_direct.cu): one thread per output element, any layout,
// stride, dilation, asymmetric padding and grouping, with the bias + activation
// epilogue fused. The fallback for convolutions cuDNN offers no algorithm for; slow
// for dense convs, adequate for depthwise ones (memory bound either way).
#pragma once

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "graph/op.h"

namespace toonbox::cuda {

struct ConvDirectDims {
  int n = 0, c = 0, h = 0, w = 0;  // input
  int k = 0, cg = 0, r = 0, s = 0;  // weights OIHW: out channels, in channels per group, kh, kw
  int out_h = 0, out_w = 0;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;
  int groups = 1;
  bool nhwc = true;
};

// A Divide fused after the conv (depthwise_div_fusion.h): output (n, pixel, channel) is
// divided by p[n * image + pixel * pixel_stride + channel * channel_stride], in float,
// after the activation, before the one rounding. Null p: none.
template <typename T>
struct ConvDivisor {
  const T* p = nullptr;
  long long image = 0;
  int pixel_stride = 0, channel_stride = 0;
};

// w is OIHW in the storage type; bias float32 or null. A divisor needs the NHWC
// depthwise row path (cudaErrorInvalidValue otherwise).
template <typename T>
cudaError_t launch_conv_direct(const T* x, const T* w, const float* bias, T* y,
                               const ConvDirectDims& dims, graph::Activation activation,
                               cudaStream_t stream, const ConvDivisor<T>& divisor = {});

}  // namespace toonbox::cuda
