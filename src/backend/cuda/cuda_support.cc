#include "backend/cuda/cuda_support.h"

#include <climits>

#include "backend/cuda/kernels/elementwise.h"
#include "backend/cuda/kernels/tensor_ops.h"
#include "backend/graph_precheck.h"
#include "graph/tensor_geometry.h"

namespace toonbox::cuda {

using graph::Conv2DParams;
using graph::Graph;
using graph::instance_norm_dims;
using graph::InstanceNormDims;
using graph::InstanceNormParams;
using graph::Node;
using graph::OpKind;
using graph::PadMode;

namespace {

bool fits_int(const Shape& s) {
  for (int64_t d : s)
    if (d < 0 || d > INT_MAX) return false;
  return shape_numel(s) <= INT_MAX;
}

std::string rank_at_most(const Graph& g, const Node& node, int max_rank) {
  const Shape& s = g.value(node.outputs[0]).shape;
  if (s.size() > static_cast<size_t>(max_rank))
    return "rank above " + std::to_string(max_rank) + ": " + shape_to_string(s);
  return "";
}

}  // namespace

std::string cuda_unsupported_reason(const Graph& g, const Node& node, Precision precision) {
  if (precision != Precision::kFloat32 && precision != Precision::kFloat16 && precision != Precision::kTf32)
    return std::string("precision ") + precision_name(precision) + " is not supported";
  if (std::string why = backend::precheck_node(g, node); !why.empty()) return why;
  for (int out : node.outputs)
    if (!fits_int(g.value(out).shape))
      return "output " + shape_to_string(g.value(out).shape) + " exceeds 2^31 elements";
  // One case per op kind and no default: -Werror=switch names an op this query has not
  // decided on.
  switch (node.kind) {
    case OpKind::kConv2D: {
      if (node.inputs.size() < 2 || node.inputs.size() > 3) return "Conv2D takes 2 or 3 inputs";
      if (node.p<Conv2DParams>().pad_mode != PadMode::kExplicit)
        return "padding not resolved: run specialize() first";
      if (g.value(node.inputs[0]).shape.size() != 4 || g.value(node.inputs[1]).shape.size() != 4)
        return "Conv2D needs a 4-D input and 4-D OIHW weights";
      return "";
    }
    case OpKind::kBinary:
    case OpKind::kPRelu:
      return rank_at_most(g, node, kMaxBroadcastRank);
    case OpKind::kUnary:
      return "";
    case OpKind::kResize:
      if (g.value(node.inputs[0]).shape.size() != 4) return "Resize needs a 4-D input";
      return "";
    case OpKind::kTranspose:
    case OpKind::kSlice:
    case OpKind::kPad:
    case OpKind::kGather:
    case OpKind::kExpand:
    case OpKind::kTile:
    case OpKind::kWhere:
    case OpKind::kDepthToSpace:
    case OpKind::kSpaceToDepth:
      return rank_at_most(g, node, kMaxGatherRank);
    case OpKind::kConvTranspose:
    case OpKind::kReshape:
    case OpKind::kConcat:
    case OpKind::kReduce:
    case OpKind::kSoftmax:
    case OpKind::kPool:
    case OpKind::kMatMul:
    case OpKind::kCast:
    case OpKind::kDft:  // cuFFT, fp32 inside (fft_step.h)
      return "";
    case OpKind::kInstanceNorm: {  // one thread block per image and channel
      const InstanceNormDims d = instance_norm_dims(g.value(node.inputs[0]).shape,
                                                    node.p<InstanceNormParams>().layout);
      if (d.n * d.c > INT_MAX) return "more than 2^31 image channels";
      return "";
    }
    case OpKind::kShape:
    case OpKind::kStridedSlice:
    case OpKind::kPack:
    case OpKind::kFill:
    case OpKind::kIdentity:
    case OpKind::kRange:
      return "shape op left in the graph";  // precheck_node says so first
    case OpKind::kArgMax:
    case OpKind::kScatterElements:
      return "";
  }
  return "unknown op kind";
}

}  // namespace toonbox::cuda
