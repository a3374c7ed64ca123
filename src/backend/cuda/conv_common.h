// What the two convolution paths (conv_cudnn.cc, gemm_cublas.cc) share: the shapes of
// a Conv2D node, weight and bias upload, and the bias + activation epilogue.
#pragma once

#include <string>

#include "backend/cuda/cuda_handles.h"
#include "backend/cuda/step.h"
#include "graph/graph.h"

namespace toonbox::cuda {

struct ConvShape {
  bool nhwc = true;
  int n = 0, c = 0, h = 0, w = 0;  // input
  int k = 0, cg = 0, r = 0, s = 0;  // weights OIHW: out channels, in channels per group, kh, kw
  int out_h = 0, out_w = 0;
  int groups = 1;
};

ConvShape conv_shape(const graph::Graph& graph, const graph::Node& node);

// Whether convolutions and GEMMs at `precision` may use TF32 tensor cores (inputs rounded
// to 10 mantissa bits, ~1e-3 relative error; PyTorch's default for convolutions): always
// for --precision tf32, for fp32 only under TOONBOX_CUDA_TF32=1 (the older switch), never
// for fp16. Strict fp32 agrees with the CPU. Each step's description says "tf32".
bool tf32_allowed(Precision precision);

// "node 'conv1' (Conv2D NHWC [1,32,33,35] * [16,35,3,3] stride 1x1 dilation 1x1 pads
// t0 b1 l0 r1 groups 1 -> [1,32,33,16] fp16)"
std::string conv_description(const graph::Graph& graph, const graph::Node& node,
                             Precision precision);

// Weights OIHW -> the order the kernels read, in the storage type: KRSC (output channel,
// kh, kw, input channel) for NHWC, unchanged KCRS (= OIHW) for NCHW.
Result<DeviceBuffer> upload_conv_weights(const BuildContext& ctx, const Tensor& oihw, bool to_krsc);
// The bias stays float32 in both precisions: the epilogue adds it in float.
Result<DeviceBuffer> upload_bias(const BuildContext& ctx, const Tensor& bias);

// y = act(y + bias) after the convolution, skipped when there is neither.
struct Epilogue {
  const float* bias = nullptr;
  graph::Activation activation;
  int channels = 0;
  int64_t inner = 1;  // 1 for NHWC, out_h * out_w for NCHW
  int64_t count = 0;  // output elements

  bool needed() const { return bias != nullptr || activation.op != graph::UnaryOp::kIdentity; }
  Status run(void* y, Precision precision, cudaStream_t stream) const;
};

Epilogue make_epilogue(const ConvShape& shape, const graph::Conv2DParams& params,
                       const DeviceBuffer& bias);

}  // namespace toonbox::cuda
