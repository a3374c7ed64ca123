// What shape inference shares with its callers: the tensor size limit, numpy
// broadcasting and convolution output sizes. Inferring a node's shapes (given concrete
// input shapes and the values of inputs that determine shapes, such as a resize's size;
// SAME padding resolved into explicit pads, as those depend on the input size) is
// infer_node_shapes in op_defs.h, which calls the op's shape function.
#pragma once

#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::ops {

// Upper bound on elements of any one tensor (about 4 GiB of float32): shapes computed
// from untrusted model files or images are checked against it before allocation.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 30;

// Numpy broadcasting of two shapes; error when incompatible.
Result<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Output size of one spatial dim of a convolution, and the pads for SAME modes.
struct ConvDimResult {
  int64_t out = 0;
  int pad_before = 0, pad_after = 0;
};
Result<ConvDimResult> conv_output_dim(int64_t in, int64_t kernel, int stride, int dilation,
                                      graph::PadMode mode, int pad_before, int pad_after);

}  // namespace toonbox::ops
