#include "backend/cuda/conv_common.h"

#include <cuda_fp16.h>

#include <cstdlib>
#include <vector>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/bias_activation.h"

namespace toonbox::cuda {

bool tf32_allowed(Precision precision) {
  if (precision == Precision::kTf32) return true;
  if (precision != Precision::kFloat32) return false;
  const char* v = std::getenv("TOONBOX_CUDA_TF32");
  return v != nullptr && v[0] != '\0' && v[0] != '0';
}

ConvShape conv_shape(const graph::Graph& g, const graph::Node& node) {
  const auto& p = node.p<graph::Conv2DParams>();
  const Shape& x = g.value(node.inputs[0]).shape;
  const Shape& w = g.value(node.inputs[1]).shape;
  const Shape& y = g.value(node.outputs[0]).shape;
  ConvShape s;
  s.nhwc = p.layout == graph::Layout::kNHWC;
  s.n = static_cast<int>(x[0]);
  s.c = static_cast<int>(s.nhwc ? x[3] : x[1]);
  s.h = static_cast<int>(s.nhwc ? x[1] : x[2]);
  s.w = static_cast<int>(s.nhwc ? x[2] : x[3]);
  s.k = static_cast<int>(w[0]);
  s.cg = static_cast<int>(w[1]);
  s.r = static_cast<int>(w[2]);
  s.s = static_cast<int>(w[3]);
  s.out_h = static_cast<int>(s.nhwc ? y[1] : y[2]);
  s.out_w = static_cast<int>(s.nhwc ? y[2] : y[3]);
  s.groups = p.groups;
  return s;
}

std::string conv_description(const graph::Graph& g, const graph::Node& node, Precision precision) {
  const auto& p = node.p<graph::Conv2DParams>();
  std::string d = "node '" + node.name + "' (Conv2D " +
                  (p.layout == graph::Layout::kNHWC ? "NHWC " : "NCHW ") +
                  shape_to_string(g.value(node.inputs[0]).shape) + " * " +
                  shape_to_string(g.value(node.inputs[1]).shape);
  d += " stride " + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w);
  if (p.dilation_h != 1 || p.dilation_w != 1)
    d += " dilation " + std::to_string(p.dilation_h) + "x" + std::to_string(p.dilation_w);
  d += " pads t" + std::to_string(p.pad_top) + " b" + std::to_string(p.pad_bottom) + " l" +
       std::to_string(p.pad_left) + " r" + std::to_string(p.pad_right);
  if (p.groups != 1) d += " groups " + std::to_string(p.groups);
  if (p.activation.op != graph::UnaryOp::kIdentity)
    d += std::string(" +") + graph::unary_op_name(p.activation.op);
  d += " -> " + shape_to_string(g.value(node.outputs[0]).shape) + " " + precision_name(precision) + ")";
  return d;
}

Result<DeviceBuffer> upload_conv_weights(const BuildContext& ctx, const Tensor& w, bool to_krsc) {
  if (w.dtype() != DType::kFloat32 || w.rank() != 4)
    return invalid_argument("conv weights must be float32 OIHW, got " + std::string(dtype_name(w.dtype())) +
                            " " + shape_to_string(w.shape()));
  const int64_t K = w.dim(0), C = w.dim(1), R = w.dim(2), S = w.dim(3);
  std::vector<float> ordered(static_cast<size_t>(w.numel()));
  const float* src = w.data<float>();
  if (to_krsc) {
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t r = 0; r < R; ++r)
          for (int64_t s = 0; s < S; ++s)
            ordered[((k * R + r) * S + s) * C + c] = src[((k * C + c) * R + r) * S + s];
  } else {
    std::copy(src, src + w.numel(), ordered.begin());
  }
  const std::vector<std::byte> bytes = to_storage(ordered.data(), ordered.size(), ctx.precision);
  TB_ASSIGN_OR_RETURN(DeviceBuffer buffer,
                      DeviceBuffer::allocate(bytes.size(), "conv weights " + shape_to_string(w.shape())));
  TB_RETURN_IF_ERROR(upload(ctx.step.stream, buffer.get(), bytes.data(), bytes.size()));
  return buffer;
}

Result<DeviceBuffer> upload_bias(const BuildContext& ctx, const Tensor& bias) {
  if (bias.dtype() != DType::kFloat32)
    return invalid_argument(std::string("conv bias must be float32, got ") + dtype_name(bias.dtype()));
  TB_ASSIGN_OR_RETURN(DeviceBuffer buffer,
                      DeviceBuffer::allocate(bias.nbytes(), "conv bias " + shape_to_string(bias.shape())));
  TB_RETURN_IF_ERROR(upload(ctx.step.stream, buffer.get(), bias.raw(), bias.nbytes()));
  return buffer;
}

Epilogue make_epilogue(const ConvShape& s, const graph::Conv2DParams& p, const DeviceBuffer& bias) {
  Epilogue e;
  e.bias = bias.as<float>();
  e.activation = p.activation;
  e.channels = s.k;
  e.inner = s.nhwc ? 1 : static_cast<int64_t>(s.out_h) * s.out_w;
  e.count = static_cast<int64_t>(s.n) * s.k * s.out_h * s.out_w;
  return e;
}

Status Epilogue::run(void* y, Precision precision, cudaStream_t stream) const {
  if (!needed()) return Status::ok();
  if (is_half(precision)) {
    TB_CUDA_RETURN_IF_ERROR(launch_bias_activation<__half>(static_cast<__half*>(y), bias, count, channels,
                                                           inner, activation.op, activation.alpha,
                                                           activation.beta, stream));
  } else {
    TB_CUDA_RETURN_IF_ERROR(launch_bias_activation<float>(static_cast<float*>(y), bias, count, channels,
                                                          inner, activation.op, activation.alpha,
                                                          activation.beta, stream));
  }
  return Status::ok();
}

}  // namespace toonbox::cuda
