// Index arithmetic of the tensor ops (Slice, Transpose, Reshape, Reduce, MatMul, Pad,
// pooling, broadcasting, Resize coordinates), resolved once from shapes and constant
// inputs. Shape inference, the reference kernels and the backends all use these, so the
// op semantics (ONNX's) are written down in one place.
#pragma once

#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/op.h"

namespace toonbox::graph {

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

// Average pool with count_include_pad: the divisor of the window whose first tap is at
// (h0, w0) in an H x W input, ONNX Runtime's rule: the window clipped to the padded
// extent, not to the input.
int64_t padded_window_count(const PoolParams& p, int64_t h0, int64_t w0, int64_t H, int64_t W);

// Per output dim of a Pad, the source index of each output index (-1 = the constant).
Result<std::vector<std::vector<int64_t>>> pad_source_indices(const Shape& x,
                                                             const std::vector<int64_t>& pads,
                                                             PadKind mode);

// DepthToSpace / SpaceToDepth: the source of output element (n, c, h, w) (logical NCHW
// coordinates whatever the layout) as input coordinates. `channels` is the input's.
struct ImageCoord {
  int64_t n, c, h, w;
};
ImageCoord depth_to_space_source(const DepthToSpaceParams& p, int64_t channels, ImageCoord out);
ImageCoord space_to_depth_source(const SpaceToDepthParams& p, int64_t channels, ImageCoord out);

// InstanceNorm over x: N images of C channels with `spatial` elements each; element k of
// (n, c) sits at (n * C + c) * spatial + k (NCHW) or (n * spatial + k) * C + c (NHWC).
struct InstanceNormDims {
  int64_t n = 0, c = 0, spatial = 0;
  bool channels_last = false;
};
InstanceNormDims instance_norm_dims(const Shape& x, Layout layout);

// Dft over x viewed as [outer, in_len, inner, in_components] -> [outer, out_len, inner,
// out_components] (components 1 = real, 2 = complex); n is the transform length.
struct DftDims {
  int64_t outer = 1, in_len = 0, inner = 1, n = 0, out_len = 0;
  int in_components = 2, out_components = 2;
  int axis = 0;  // normalized
};
// Errors say what is wrong with the shape or the parameters ("axis 4 is the complex dim").
Result<DftDims> dft_dims(const Shape& x, const DftParams& p);

// Row-major strides of a shape.
std::vector<int64_t> row_major_strides(const Shape& s);

// Strides of `shape` in the index space of a numpy broadcast result of `rank` dims
// (shapes aligned from the right): row-major in units of `unit` elements, 0 along dims
// where `shape` is 1 or absent.
std::vector<int64_t> broadcast_strides(const Shape& shape, size_t rank, int64_t unit = 1);

// Resize: the source coordinate of output index i along one axis (`in` pixels resized to
// `out`), as the ResizeCoord comment defines; `scale` is that axis's ResizeParams scale
// (0: the in/out ratio) and roi0/roi1 its tf_crop_and_resize roi. Computed in float32 on
// purpose: TensorFlow and ONNX Runtime do, and nearest-neighbour picks at exact half-way
// points (e.g. 2.5 * 1.4f - 0.5) and the last align-corners column (3 * (10 / 3.f))
// depend on that rounding. An axis that is not resized (scale 1, or in == out without a
// scale) maps one to one in every mode, as ONNX Runtime does. The reference kernel and
// the backends' tap tables (backend/resize_taps.h) both map through this; ONNX Runtime's
// outputs are the independent check (the ONNX cases of tests/unit/op_cases_onnx_nn.cc).
double resize_source_coordinate(ResizeCoord coord, int64_t i, int64_t in, int64_t out,
                                float scale, float roi0, float roi1);

// Resize, nearest mode: the source pixel for coordinate `src`, clamped to [0, in - 1].
int64_t resize_nearest_index(NearestRounding rounding, double src, int64_t in);

}  // namespace toonbox::graph
