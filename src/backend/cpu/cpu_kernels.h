// Plain-type CPU kernels for the ops oneDNN is not used for. Each is parallelized with
// OpenMP over independent output elements; semantics match ops/reference.cc.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/op.h"
#include "graph/tensor_geometry.h"

namespace toonbox::cpu {

// Broadcasting binary op. Shapes are right-aligned to `out_shape`'s rank.
void binary(graph::BinaryOp op, const float* a, const std::vector<int64_t>& a_shape, const float* b,
            const std::vector<int64_t>& b_shape, float* out, const std::vector<int64_t>& out_shape);

// Where: out = cond != 0 ? a : b, the three broadcast to `out_shape`.
void where(const float* cond, const std::vector<int64_t>& cond_shape, const float* a,
           const std::vector<int64_t>& a_shape, const float* b, const std::vector<int64_t>& b_shape,
           float* out, const std::vector<int64_t>& out_shape);

void unary(graph::UnaryOp op, float alpha, float beta, const float* x, float* y, int64_t n);

// PRelu: y = x < 0 ? x * slope : x, the slope broadcast to x's shape.
void prelu(const float* x, const std::vector<int64_t>& x_shape, const float* slope,
           const std::vector<int64_t>& slope_shape, float* y);

// InstanceNorm with the dims of graph/tensor_geometry.h: per image and channel, two
// passes (mean, then the variance about it) accumulated in double.
void instance_norm(const float* x, const float* scale, const float* bias, float* y,
                   const graph::InstanceNormDims& dims, float epsilon);

struct ResizeGeometry {
  graph::Layout layout;
  int64_t n, c, in_h, in_w, out_h, out_w;
};
void resize(const graph::ResizeParams& params, const ResizeGeometry& geo, const float* x, float* y);

}  // namespace toonbox::cpu
