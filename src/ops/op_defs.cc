#include "ops/op_defs.h"

#include <iterator>

#include "ops/op_rules.h"
#include "ops/reference_util.h"
#include "ops/shape_inference_util.h"

namespace toonbox::ops {

using graph::Graph;
using graph::kOpKindCount;
using graph::Node;
using graph::OpKind;

namespace {

using namespace rules;
using namespace reference_detail;
using namespace shape_detail;

// Which inputs are compile-time parameters (OpDef::parameter_inputs).
constexpr uint32_t kNoParameters = 0;
constexpr uint32_t kFirstInput = 1;                    // Fill: the dims
constexpr uint32_t kAllButFirstInput = ~uint32_t{1};   // x, then shape/size/indices/pads
constexpr uint32_t kAllInputs = ~uint32_t{0};          // Range: start, limit, delta

// Which inputs are weights (OpDef::weight_inputs).
constexpr uint32_t kNoWeights = 0;
constexpr uint32_t kKernelAndBias = 0b110;  // x, kernel, optional bias
constexpr uint32_t kSecondInput = 0b10;     // PRelu: x, slope
constexpr uint32_t kScaleAndBias = 0b110;   // InstanceNorm: x, scale, bias

constexpr OpClass kCompute = OpClass::kCompute;
constexpr OpClass kTensor = OpClass::kTensor;
constexpr OpClass kShapeOp = OpClass::kShape;

// One row per OpKind, in graph/op.h's order (checked below).
// clang-format off
constexpr OpDef kOpDefs[] = {
  // kind                  class     parameter inputs   weights         batch            integers          shapes                reference
  {OpKind::kConv2D,        kCompute, kNoParameters,     kKernelAndBias, batch_per_item,  integers_refused, infer_conv2d,         eval_conv2d},
  {OpKind::kBinary,        kCompute, kNoParameters,     kNoWeights,     batch_per_item,  integers_binary,  infer_binary,         eval_binary},
  {OpKind::kUnary,         kCompute, kNoParameters,     kNoWeights,     batch_per_item,  integers_unary,   infer_same_shape,     eval_unary},
  {OpKind::kResize,        kCompute, kAllButFirstInput, kNoWeights,     batch_per_item,  integers_refused, infer_resize,         eval_resize},
  {OpKind::kConvTranspose, kTensor,  kNoParameters,     kKernelAndBias, batch_per_item,  integers_refused, infer_conv_transpose, eval_conv_transpose},
  {OpKind::kMatMul,        kTensor,  kNoParameters,     kNoWeights,     batch_matmul,    integers_refused, infer_matmul,         eval_matmul},
  {OpKind::kPool,          kTensor,  kNoParameters,     kNoWeights,     batch_per_item,  integers_refused, infer_pool,           eval_pool},
  {OpKind::kReduce,        kTensor,  kNoParameters,     kNoWeights,     batch_reduce,    integers_reduce,  infer_reduce,         eval_reduce},
  {OpKind::kSoftmax,       kTensor,  kNoParameters,     kNoWeights,     batch_softmax,   integers_refused, infer_softmax,        eval_softmax},
  {OpKind::kTranspose,     kTensor,  kNoParameters,     kNoWeights,     batch_transpose, integers_exact,   infer_transpose,      eval_transpose},
  {OpKind::kReshape,       kTensor,  kAllButFirstInput, kNoWeights,     batch_per_item,  integers_exact,   infer_reshape,        eval_reshape},
  {OpKind::kConcat,        kTensor,  kNoParameters,     kNoWeights,     batch_concat,    integers_exact,   infer_concat,         eval_concat},
  {OpKind::kSlice,         kTensor,  kAllButFirstInput, kNoWeights,     batch_slice,     integers_exact,   infer_slice,          eval_slice},
  {OpKind::kPad,           kTensor,  kAllButFirstInput, kNoWeights,     batch_pad,       integers_exact,   infer_pad,            eval_pad},
  {OpKind::kGather,        kTensor,  kAllButFirstInput, kNoWeights,     batch_gather,    integers_exact,   infer_gather,         eval_gather},
  {OpKind::kExpand,        kTensor,  kAllButFirstInput, kNoWeights,     batch_per_item,  integers_exact,   infer_expand,         eval_expand},
  {OpKind::kTile,          kTensor,  kAllButFirstInput, kNoWeights,     batch_per_item,  integers_exact,   infer_tile,           eval_tile},
  {OpKind::kCast,          kTensor,  kNoParameters,     kNoWeights,     batch_per_item,  integers_exact,   infer_cast,           eval_cast},
  {OpKind::kWhere,         kTensor,  kNoParameters,     kNoWeights,     batch_per_item,  integers_exact,   infer_where,          eval_where},
  {OpKind::kPRelu,         kCompute, kNoParameters,     kSecondInput,   batch_per_item,  integers_refused, infer_prelu,          eval_prelu},
  {OpKind::kDepthToSpace,  kTensor,  kNoParameters,     kNoWeights,     batch_per_item,  integers_exact,   infer_depth_to_space, eval_depth_to_space},
  {OpKind::kSpaceToDepth,  kTensor,  kNoParameters,     kNoWeights,     batch_per_item,  integers_exact,   infer_space_to_depth, eval_space_to_depth},
  {OpKind::kInstanceNorm,  kTensor,  kNoParameters,     kScaleAndBias,  batch_per_item,  integers_refused, infer_instance_norm,  eval_instance_norm},
  {OpKind::kShape,         kShapeOp, kNoParameters,     kNoWeights,     batch_unknown,   integers_refused, infer_shape,          eval_shape},
  {OpKind::kStridedSlice,  kShapeOp, kAllButFirstInput, kNoWeights,     batch_unknown,   integers_refused, infer_strided_slice,  eval_strided_slice},
  {OpKind::kPack,          kShapeOp, kNoParameters,     kNoWeights,     batch_unknown,   integers_refused, infer_pack,           eval_pack},
  {OpKind::kFill,          kShapeOp, kFirstInput,       kNoWeights,     batch_unknown,   integers_refused, infer_fill,           eval_fill},
  {OpKind::kIdentity,      kShapeOp, kNoParameters,     kNoWeights,     batch_unknown,   integers_refused, infer_same_shape,     eval_identity},
  {OpKind::kRange,         kShapeOp, kAllInputs,        kNoWeights,     batch_unknown,   integers_refused, infer_range,          eval_range},
  {OpKind::kArgMax,        kTensor,  kNoParameters,     kNoWeights,     batch_arg_max,   integers_exact,   infer_arg_max,        eval_arg_max},
  {OpKind::kScatterElements, kTensor, kNoParameters,    kNoWeights,     batch_scatter_elements, integers_exact, infer_scatter_elements, eval_scatter_elements},
  {OpKind::kDft,           kTensor,  kNoParameters,     kNoWeights,     batch_dft,       integers_refused, infer_dft,            eval_dft},
};
// clang-format on

constexpr bool rows_in_kind_order() {
  for (size_t i = 0; i < std::size(kOpDefs); ++i)
    if (static_cast<size_t>(kOpDefs[i].kind) != i) return false;
  return true;
}
constexpr bool rows_complete() {
  for (const OpDef& d : kOpDefs)
    if (!d.batch_refusal || !d.integer_refusal || !d.infer_shapes || !d.reference) return false;
  return true;
}
static_assert(std::size(kOpDefs) == kOpKindCount,
              "one OpDef row per OpKind: an op was added to graph/op.h without its row");
static_assert(rows_in_kind_order(), "OpDef rows must follow graph/op.h's order");
static_assert(rows_complete(), "every OpDef row names all its functions");

}  // namespace

const OpDef& op_def(OpKind kind) { return kOpDefs[static_cast<size_t>(kind)]; }

bool is_parameter_input(const Node& node, size_t i) {
  return i < 32 && ((op_def(node.kind).parameter_inputs >> i) & 1u) != 0;
}

bool is_weight_input(const Node& node, size_t i) {
  return i < 32 && ((op_def(node.kind).weight_inputs >> i) & 1u) != 0;
}

Status infer_node_shapes(Graph& g, Node& node) {
  for (int in : node.inputs) {
    for (int64_t d : g.value(in).shape) {
      if (d < 0) {
        return node_error(node, "input '" + g.value(in).name + "' has unknown shape " +
                                    shape_to_string(g.value(in).shape));
      }
    }
  }
  return op_def(node.kind).infer_shapes(g, node);
}

}  // namespace toonbox::ops
