// Index arithmetic of the tensor ops (Slice, Transpose, Reshape, Reduce, MatMul, Pad,
// pooling), resolved once from shapes and constant inputs. Shape inference, the
// reference kernels and the backends all use these, so the op semantics (ONNX's) are
// written down in one place.
#pragma once

#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/op.h"

namespace toonbox {

// Normalizes possibly negative axes against `rank`; rejects out-of-range and repeats.
Result<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank);

// ONNX Slice: for every input dim the first index, the step and the output count.
struct SliceGeometry {
  std::vector<int64_t> start, step;
  Shape out;
};
Result<SliceGeometry> resolve_slice(const Shape& x, const std::vector<int64_t>& starts,
                                    const std::vector<int64_t>& ends,
                                    const std::vector<int64_t>& axes,
                                    const std::vector<int64_t>& steps);

// Transpose: the permutation (empty = reversed dims), validated.
Result<std::vector<int64_t>> resolve_perm(const std::vector<int64_t>& perm, int64_t rank);

// Output shape of a Reshape; `shape_tensor` is input 1 for kShapeTensor.
Result<Shape> reshape_target(const Shape& x, const ReshapeParams& p,
                             const std::vector<int64_t>& shape_tensor);

// Output shape of a numpy-style MatMul (1-D operands promoted and the added dim removed).
Result<Shape> matmul_shape(const Shape& a, const Shape& b);

// Pool output size of one dim, ONNX Runtime's rule for ceil_mode; fills the pads for SAME.
struct PoolDim {
  int64_t out = 0;
  int pad_before = 0, pad_after = 0;
};
Result<PoolDim> pool_output_dim(int64_t in, int kernel, int stride, int dilation, PadMode mode,
                                int pad_before, int pad_after, bool ceil_mode);

// Per output dim of a Pad, the source index of each output index (-1 = the constant).
Result<std::vector<std::vector<int64_t>>> pad_source_indices(const Shape& x,
                                                             const std::vector<int64_t>& pads,
                                                             PadKind mode);

// Row-major strides of a shape.
std::vector<int64_t> row_major_strides(const Shape& s);

}  // namespace toonbox
