#include "backend/cpu/cpu_support.h"

#include "backend/graph_precheck.h"

namespace toonbox::cpu {

using graph::Conv2DParams;
using graph::Graph;
using graph::Node;
using graph::OpKind;
using graph::unary_op_name;
using graph::UnaryOp;

std::string cpu_unsupported_reason(const Graph& g, const Node& node, Precision precision) {
  if (precision != Precision::kFloat32) return "the CPU backend computes in fp32 only";
  if (std::string why = backend::precheck_node(g, node); !why.empty()) return why;
  switch (node.kind) {
    case OpKind::kConv2D:
      switch (node.p<Conv2DParams>().activation.op) {  // the oneDNN post-ops we map
        case UnaryOp::kIdentity:
        case UnaryOp::kRelu:
        case UnaryOp::kLeakyRelu:
        case UnaryOp::kSigmoid:
        case UnaryOp::kTanh:
        case UnaryOp::kClip:
          return "";
        default:
          return std::string("fused activation ") +
                 unary_op_name(node.p<Conv2DParams>().activation.op);
      }
    case OpKind::kBinary:
    case OpKind::kUnary:
    case OpKind::kResize:
    case OpKind::kConvTranspose:
    case OpKind::kMatMul:
    case OpKind::kPool:
    case OpKind::kReduce:
    case OpKind::kSoftmax:
    case OpKind::kTranspose:
    case OpKind::kReshape:
    case OpKind::kConcat:
    case OpKind::kSlice:
    case OpKind::kPad:
    case OpKind::kGather:
    case OpKind::kExpand:
    case OpKind::kTile:
    case OpKind::kCast:
    case OpKind::kWhere:
    case OpKind::kPRelu:
    case OpKind::kDepthToSpace:
    case OpKind::kSpaceToDepth:
    case OpKind::kInstanceNorm:
    case OpKind::kArgMax:
    case OpKind::kScatterElements:
    case OpKind::kDft:
      return "";
    case OpKind::kShape:
    case OpKind::kStridedSlice:
    case OpKind::kPack:
    case OpKind::kFill:
    case OpKind::kIdentity:
    case OpKind::kRange:
      return "shape op left in the graph";  // precheck_node says so first
  }
  return "unknown op kind";
}

}  // namespace toonbox::cpu
