// Shared by the batched-execution tests (CPU, tests/unit/batch_test.cc; CUDA,
// tests/unit/cuda_batch_test.cc; real models, tests/models/batch_tiling_models_test.cc):
// a generated conv net that touches every kernel family batching could break, and
// stacking/slicing of [N,...] tensors.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "unit/test_util.h"

namespace toonbox::test {

constexpr int kSide = 16;

inline int conv(graph::Graph& g, const std::string& name, int x, int in_ch, int out_ch, int k,
                int stride, int groups, graph::Activation act, uint32_t seed) {
  graph::Conv2DParams p;
  p.stride_h = p.stride_w = stride;
  p.pad_mode = graph::PadMode::kSameUpper;
  p.groups = groups;
  p.activation = act;
  const int w = g.add_constant(name + "/w", random_tensor({out_ch, in_ch / groups, k, k}, seed, -0.5f, 0.5f));
  const int b = g.add_constant(name + "/b", random_tensor({out_ch}, seed + 1, -0.1f, 0.1f));
  return g.add_node(graph::OpKind::kConv2D, name, {x, w, b}, p);
}

// NHWC conv net over a [1,-1,-1,3] input touching what batching could break: strided
// and depthwise convs with fused activations, a 1x1 conv (cuBLAS GEMM on CUDA), a
// per-image Reduce, NHWC<->NCHW transposes, ConvTranspose, bilinear Resize, Concat and a
// broadcast Add of a constant.
inline graph::Graph generated_conv_net() {
  graph::Graph g;
  const int x = g.add_input("x", DType::kFloat32, {1, -1, -1, 3});
  const int c1 = conv(g, "c1", x, 3, 8, 3, 2, 1, {graph::UnaryOp::kRelu}, 10);
  const int c2 = conv(g, "c2", c1, 8, 8, 3, 1, 8, {graph::UnaryOp::kLeakyRelu, 0.2f}, 20);
  graph::ReduceParams mean;
  mean.axes = {1, 2};
  const int m = g.add_node(graph::OpKind::kReduce, "mean", {c2}, mean);
  const int centred = g.add_node(graph::OpKind::kBinary, "centre", {c2, m},
                                 graph::BinaryParams{graph::BinaryOp::kSub});
  const int nchw = g.add_node(graph::OpKind::kTranspose, "to_nchw", {centred},
                              graph::TransposeParams{{0, 3, 1, 2}});
  graph::ConvTransposeParams ct;
  ct.stride_h = ct.stride_w = 2;
  const int up =
      g.add_node(graph::OpKind::kConvTranspose, "up",
                 {nchw, g.add_constant("up/w", random_tensor({8, 4, 2, 2}, 30, -0.5f, 0.5f))}, ct);
  const int nhwc =
      g.add_node(graph::OpKind::kTranspose, "to_nhwc", {up}, graph::TransposeParams{{0, 2, 3, 1}});
  graph::ResizeParams rp;
  rp.coord = graph::ResizeCoord::kHalfPixel;
  const int size = g.add_constant("size", Tensor::from_vector<int32_t>({2}, {kSide, kSide}));
  const int resized = g.add_node(graph::OpKind::kResize, "resize", {c1, size}, rp);
  const int cat =
      g.add_node(graph::OpKind::kConcat, "cat", {nhwc, resized}, graph::ConcatParams{3});
  const int c4 = conv(g, "c4", cat, 12, 3, 1, 1, 1, {}, 40);
  const int bias = g.add_constant("bias", random_tensor({1, 1, 1, 3}, 50, -0.2f, 0.2f));
  const int skip = g.add_node(graph::OpKind::kBinary, "skip", {c4, x},
                              graph::BinaryParams{graph::BinaryOp::kAdd});
  const int biased = g.add_node(graph::OpKind::kBinary, "biased", {skip, bias},
                                graph::BinaryParams{graph::BinaryOp::kAdd});
  g.add_output(g.add_node(graph::OpKind::kUnary, "out", {biased},
                          graph::UnaryParams{graph::UnaryOp::kTanh}));
  return g;
}

inline Tensor slice_item(const Tensor& batch, int64_t i) {
  Shape s = batch.shape();
  s[0] = 1;
  Tensor t(DType::kFloat32, s);
  const int64_t n = t.numel();
  std::copy(batch.data<float>() + i * n, batch.data<float>() + (i + 1) * n, t.data<float>());
  return t;
}

inline Tensor stack(const std::vector<Tensor>& items) {
  Shape s = items[0].shape();
  s[0] = static_cast<int64_t>(items.size());
  Tensor t(DType::kFloat32, s);
  const int64_t n = items[0].numel();
  for (size_t i = 0; i < items.size(); ++i)
    std::copy(items[i].data<float>(), items[i].data<float>() + n, t.data<float>() + i * n);
  return t;
}

}  // namespace toonbox::test
