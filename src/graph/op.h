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
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace toonbox {

enum class OpKind : uint8_t {
  // Compute ops: every backend implements these.
  kConv2D,
  kBinary,
  kUnary,
  kResize,
  // Shape ops: folded to constants by specialize(); evaluated by the reference only.
  kShape,
  kStridedSlice,
  kPack,
  kFill,
  kIdentity,
};
const char* op_kind_name(OpKind kind);
bool is_shape_op(OpKind kind);

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
};
const char* unary_op_name(UnaryOp op);

enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kMax, kMin };
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

enum class ResizeMode : uint8_t { kBilinear, kNearest };
// Source coordinate of output pixel i (scale = in/out unless noted):
//   kAsymmetric      i * scale                       (TF legacy, ONNX asymmetric)
//   kHalfPixel       (i + 0.5) * scale - 0.5         (TF half_pixel_centers, ONNX half_pixel)
//   kAlignCorners    i * (in - 1) / (out - 1)
enum class ResizeCoord : uint8_t { kAsymmetric, kHalfPixel, kAlignCorners };
enum class NearestRounding : uint8_t { kFloor, kRoundPreferCeil, kRoundPreferFloor, kCeil };

// inputs: x, size (int32 [2] = out_h, out_w; must fold to a constant).
struct ResizeParams {
  Layout layout = Layout::kNHWC;
  ResizeMode mode = ResizeMode::kBilinear;
  ResizeCoord coord = ResizeCoord::kAsymmetric;
  NearestRounding nearest = NearestRounding::kFloor;
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

struct NoParams {};

using OpParams = std::variant<NoParams, Conv2DParams, UnaryParams, BinaryParams, ResizeParams,
                              StridedSliceParams, PackParams>;

}  // namespace toonbox
