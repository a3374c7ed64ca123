// The operator set of the IR. Parameters are typed structs held in a std::variant,
// so a backend switches on OpKind and reads its struct: no string lookups at run time.
//
// Conventions every frontend and backend follows:
// - Conv2D weights are always OIHW ([out, in/groups, kh, kw]); the activation layout
//   (NHWC or NCHW) is a parameter. Backends reorder weights once at compile time.
// - Shape-arithmetic ops (Shape, StridedSlice, Pack, Fill, ...) exist only until
//   specialization folds them into constants; backends never see them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/dtype.h"

namespace toonbox::graph {

// Every op kind, in enum order: the compute and tensor ops every backend implements
// (with constant inputs they fold like shape ops, and Slice/Gather/Concat/Cast/Reshape
// carry shape arithmetic), and the shape ops specialize() folds to constants (Shape ..
// Range; evaluated by the reference only). What each op is (its class, parameter inputs,
// weights, batch and integer rules, shape inference and reference kernel) is one row of
// the op table, ops/op_defs.cc, whose size is checked against this list at compile time.
#define TOONBOX_OP_KINDS(X) \
  X(Conv2D)                 \
  X(Binary)                 \
  X(Unary)                  \
  X(Resize)                 \
  X(ConvTranspose)          \
  X(MatMul)                 \
  X(Pool)                   \
  X(Reduce)                 \
  X(Softmax)                \
  X(Transpose)              \
  X(Reshape)                \
  X(Concat)                 \
  X(Slice)                  \
  X(Pad)                    \
  X(Gather)                 \
  X(Expand)                 \
  X(Tile)                   \
  X(Cast)                   \
  X(Where)                  \
  X(PRelu)                  \
  X(DepthToSpace)           \
  X(SpaceToDepth)           \
  X(InstanceNorm)           \
  X(Shape)                  \
  X(StridedSlice)           \
  X(Pack)                   \
  X(Fill)                   \
  X(Identity)               \
  X(Range)                  \
  X(ArgMax)                 \
  X(ScatterElements)        \
  X(Dft)

enum class OpKind : uint8_t {
#define TOONBOX_OP_KIND_ENUMERATOR(name) k##name,
  TOONBOX_OP_KINDS(TOONBOX_OP_KIND_ENUMERATOR)
#undef TOONBOX_OP_KIND_ENUMERATOR
};

inline constexpr size_t kOpKindCount = 0
#define TOONBOX_OP_KIND_COUNT(name) +1
    TOONBOX_OP_KINDS(TOONBOX_OP_KIND_COUNT)
#undef TOONBOX_OP_KIND_COUNT
    ;

// "Conv2D": the enumerator without its k.
const char* op_kind_name(OpKind kind);

enum class Layout : uint8_t { kNHWC, kNCHW };

enum class UnaryOp : uint8_t {
  kIdentity,
  kRelu,
  kLeakyRelu,  // alpha
  kSigmoid,
  kTanh,
  kClip,  // alpha = min, beta = max
  kSquare,
  kSqrt,
  kAbs,
  kNeg,
  kExp,
  kLog,
  kRound,  // half to even, as TF and ONNX
  kFloor,
  kErf,
  kHardSigmoid,  // max(0, min(1, alpha * x + beta))
  kElu,          // x > 0 ? x : alpha * (exp(x) - 1)
  // Bool and int data at run time is carried as float holding exact values (see
  // lower_runtime_integers in compile/integer_lowering.h); these three are what Cast and Not become.
  kTrunc,    // toward zero: Cast float -> int, as ONNX Runtime (static_cast)
  kNonZero,  // x != 0 ? 1 : 0: Cast to bool
  kNot,      // x == 0 ? 1 : 0: logical Not of a bool (0/1)
};
const char* unary_op_name(UnaryOp op);

// kPow: std::pow. (PRelu is its own op kind.)
// Comparisons (kEqual .. kGreaterEqual, exact on floats) output bool; kAnd, kOr, kXor take
// and give bool (any non-zero value is true).
enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMax,
  kMin,
  kPow,
  kEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  kXor,
};
inline bool is_comparison(BinaryOp op) { return op >= BinaryOp::kEqual && op <= BinaryOp::kGreaterEqual; }
inline bool is_logical(BinaryOp op) { return op >= BinaryOp::kAnd; }
const char* binary_op_name(BinaryOp op);

// How Conv2D padding is decided. kSameUpper is TensorFlow's SAME (odd padding goes at
// the end, as in the asymmetric stride-2 case); kSameLower puts it at the start (ONNX
// SAME_LOWER). Both resolve to explicit pads once input sizes are known.
enum class PadMode : uint8_t { kExplicit, kValid, kSameUpper, kSameLower };

struct Activation {
  UnaryOp op = UnaryOp::kIdentity;  // kIdentity, kRelu, kLeakyRelu, kSigmoid, kTanh, kClip
  float alpha = 0.f;
  float beta = 0.f;
};

// inputs: x, weights (OIHW), optional bias [O]. Output has the input's layout.
struct Conv2DParams {
  Layout layout = Layout::kNHWC;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  PadMode pad_mode = PadMode::kExplicit;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int groups = 1;
  Activation activation;  // fused epilogue: y = act(conv(x) + bias)
};

struct UnaryParams {
  UnaryOp op = UnaryOp::kIdentity;
  float alpha = 0.f;
  float beta = 0.f;
};

// Numpy-style broadcasting of the two inputs.
struct BinaryParams {
  BinaryOp op = BinaryOp::kAdd;
};

// kCubic: Keys' cubic convolution over 4x4 taps with coefficient `cubic_a` (ONNX cubic).
enum class ResizeMode : uint8_t { kBilinear, kNearest, kCubic };
// Source coordinate of output pixel i (scale = in/out unless noted):
//   kAsymmetric      i * scale                       (TF legacy, ONNX asymmetric)
//   kHalfPixel       (i + 0.5) * scale - 0.5         (TF half_pixel_centers, ONNX half_pixel)
//   kAlignCorners    i * (in - 1) / (out - 1)
//   kPytorchHalfPixel  as kHalfPixel, but 0 when out == 1     (ONNX pytorch_half_pixel)
//   kTfHalfPixelForNn  (i + 0.5) * scale                    (ONNX tf_half_pixel_for_nn)
//   kTfCropAndResize   out > 1 ? r0 * (in - 1) + i * (r1 - r0) * (in - 1) / (out - 1)
//                              : 0.5 * (r0 + r1) * (in - 1)
//                      with the normalized roi [r0, r1] of that axis; a coordinate outside
//                      [0, in - 1] gives `extrapolation` instead of a pixel (ONNX
//                      tf_crop_and_resize, as ONNX Runtime computes it, in float).
enum class ResizeCoord : uint8_t {
  kAsymmetric,
  kHalfPixel,
  kAlignCorners,
  kPytorchHalfPixel,
  kTfHalfPixelForNn,
  kTfCropAndResize,
};
enum class NearestRounding : uint8_t { kFloor, kRoundPreferCeil, kRoundPreferFloor, kCeil };

// inputs: x, size (int32 [2] = out_h, out_w; must fold to a constant).
// scale_h/scale_w: the scale factors an ONNX model gives (Resize/Upsample `scales`).
// When set (> 0), coordinates map with 1/scale as ONNX Runtime does — e.g. half_pixel:
// (i + 0.5) / scale - 0.5 — since out = floor(in * scale) makes in/out differ from
// 1/scale for fractional scales. 0 keeps the in/out ratio above (TF, ONNX sizes).
struct ResizeParams {
  Layout layout = Layout::kNHWC;
  ResizeMode mode = ResizeMode::kBilinear;
  ResizeCoord coord = ResizeCoord::kAsymmetric;
  NearestRounding nearest = NearestRounding::kFloor;
  float scale_h = 0.f, scale_w = 0.f;
  // kTfCropAndResize: normalized roi per axis and the value for samples outside it.
  float roi_h0 = 0.f, roi_h1 = 1.f, roi_w0 = 0.f, roi_w1 = 1.f;
  float extrapolation = 0.f;
  // kCubic: Keys' coefficient; exclude_outside zeroes taps outside the image and
  // renormalizes the rest (otherwise they read the clamped edge pixel).
  float cubic_a = -0.75f;
  bool exclude_outside = false;
};

// inputs: x, begin, end, strides (int32 1-D constants). TF semantics incl. masks.
struct StridedSliceParams {
  int64_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0,
          shrink_axis_mask = 0;
};

// inputs: N tensors of the same shape, stacked along `axis`.
struct PackParams {
  int axis = 0;
};

// inputs: x (NCHW), weights [C_in, C_out/groups, kh, kw] (ONNX order), optional bias.
// out = stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - pad_begin - pad_end.
// SAME modes resolve to explicit pads (ONNX Runtime's split) in shape inference.
struct ConvTransposeParams {
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  PadMode pad_mode = PadMode::kExplicit;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int output_pad_h = 0, output_pad_w = 0;
  int groups = 1;
};

enum class PoolKind : uint8_t { kMax, kAverage };
// inputs: x (NCHW, 4-D). ceil_mode and padding as ONNX (a last window must start inside
// the input or its begin padding).
struct PoolParams {
  PoolKind kind = PoolKind::kMax;
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  PadMode pad_mode = PadMode::kExplicit;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool ceil_mode = false;
  bool count_include_pad = false;  // average only
};

enum class ReduceOp : uint8_t { kMean, kSum, kMax, kMin };
// Empty axes reduce every dim. Axes may be negative until shape inference normalizes them.
struct ReduceParams {
  ReduceOp op = ReduceOp::kMean;
  std::vector<int64_t> axes;
  bool keepdims = true;
};

// Softmax along one axis (ONNX opset >= 13; older opsets are lowered by the importer).
struct SoftmaxParams {
  int axis = -1;
};

// inputs: x. Output dim i = input dim perm[i]; empty perm reverses the dims.
struct TransposeParams {
  std::vector<int64_t> perm;
};

// How the output shape of a Reshape is decided (the data is never reordered):
//   kShapeTensor  from input 1 (ONNX Reshape: 0 copies the input dim unless allowzero,
//                 one -1 is inferred)
//   kSqueeze      drop `axes` (all size-1 dims when empty)
//   kUnsqueeze    insert size-1 dims at `axes` (positions in the output)
//   kFlatten      [prod(dims[:axis]), prod(dims[axis:])]
enum class ReshapeMode : uint8_t { kShapeTensor, kSqueeze, kUnsqueeze, kFlatten };
struct ReshapeParams {
  ReshapeMode mode = ReshapeMode::kShapeTensor;
  std::vector<int64_t> axes;
  int64_t axis = 1;
  bool allowzero = false;
};

struct ConcatParams {
  int axis = 0;
};

// inputs: x, starts, ends, [axes], [steps] (int constants after folding), ONNX semantics.
struct SliceParams {};

enum class PadKind : uint8_t { kConstant, kReflect, kEdge };
// inputs: x, pads (int [2 * rank]: all begins then all ends; constant after folding).
struct PadParams {
  PadKind mode = PadKind::kConstant;
  float value = 0.f;
};

// DepthToSpace (PixelShuffle): x [N, C, H, W] (or NHWC) -> [N, C / b^2, H * b, W * b];
// output channel c at block offset (i, j) reads input channel
//   kDcr: (i * b + j) * C / b^2 + c   (ONNX DCR, TensorFlow's depth_to_space)
//   kCrd: c * b^2 + i * b + j         (ONNX CRD, PyTorch's PixelShuffle)
// SpaceToDepth is DCR's inverse: [N, C, H, W] -> [N, C * b^2, H / b, W / b]. Input: x.
enum class DepthToSpaceMode : uint8_t { kDcr, kCrd };
struct DepthToSpaceParams {
  Layout layout = Layout::kNCHW;
  int block = 2;
  DepthToSpaceMode mode = DepthToSpaceMode::kDcr;
};
struct SpaceToDepthParams {
  Layout layout = Layout::kNCHW;
  int block = 2;
};

// InstanceNorm: inputs x ([N, C, ...] for kNCHW, [N, ..., C] for kNHWC; rank >= 3),
// scale [C], bias [C] (weights). Per image and channel, over every other dim:
// y = scale * (x - mean) / sqrt(var + epsilon) + bias, var the population variance.
struct InstanceNormParams {
  Layout layout = Layout::kNCHW;
  float epsilon = 1e-5f;
};

// inputs: data, indices (int; negative wraps). Output: data[:axis] + indices + data[axis+1:].
struct GatherParams {
  int axis = 0;
};

// PRelu: inputs x, slope (a weight, broadcast to x's shape numpy-style from the right:
// [C,1,1] per channel for NCHW, [C] for NHWC, one value, or anything broadcastable);
// y = x < 0 ? x * slope : x. No parameters (NoParams).
// Expand: inputs x, shape (bidirectional broadcast). Tile: inputs x, repeats.
// Where: inputs cond (bool), x, y, broadcast. Range: start, limit, delta scalars.
struct CastParams {
  DType to = DType::kFloat32;
};

// ArgMax (and ArgMin with select_min): input x (float), output int64 indices along
// `axis` (kept as size 1 when keepdims); ties give the first index, or the last with
// select_last_index (ONNX ArgMax/ArgMin; TopK with k = 1 gives the first).
struct ArgMaxParams {
  int axis = 0;
  bool keepdims = true;
  bool select_min = false;
  bool select_last_index = false;
};

// ScatterElements: inputs data, indices (int, same rank, run-time values; negative
// wraps), updates (indices' shape). out = data, then out[idx with dim axis replaced by
// indices[idx]] = updates[idx] for every idx (ONNX ScatterElements, reduction "none").
// Duplicate targets: the reference and CPU keep the last write in index order; the CUDA
// kernel writes in parallel (one of them wins).
struct ScatterElementsParams {
  int axis = 0;
};

// Dft: a 1-D discrete Fourier transform along `axis` (ONNX DFT). x: [..., m, ..., 1] real
// or [..., m, ..., 2] complex (the last dim holds re, im); output complex [..., n', ..., 2]
// unless noted. With n the transform length (`length`, 0 = m) the input is cut or
// zero-padded to n samples, and
//   forward   y[k] = scale * sum_t x[t] e^{-2 pi i k t / n}, k < n (onesided: k <= n/2)
//   inverse   y[t] = scale / n * sum_k x[k] e^{+2 pi i k t / n}
// inverse + onesided (not an ONNX form; the inverse of rfft, cuFFT's C2R) reads bins
// 0..n/2 of a Hermitian spectrum (n = `length`, 0 = 2 (m - 1)) and gives the real
// signal [..., n, ..., 1]: irfft. `scale` (1 from ONNX) lets a rewrite fold a
// normalization such as torch's "ortho" 1/sqrt(n) into the op.
struct DftParams {
  int axis = -2;
  bool inverse = false;
  bool onesided = false;
  int64_t length = 0;
  float scale = 1.f;
};

struct NoParams {};

using OpParams =
    std::variant<NoParams, Conv2DParams, UnaryParams, BinaryParams, ResizeParams,
                 StridedSliceParams, PackParams, ConvTransposeParams, PoolParams, ReduceParams,
                 SoftmaxParams, TransposeParams, ReshapeParams, ConcatParams, SliceParams,
                 PadParams, GatherParams, CastParams, DepthToSpaceParams, SpaceToDepthParams,
                 InstanceNormParams, ArgMaxParams, ScatterElementsParams, DftParams>;

}  // namespace toonbox::graph
