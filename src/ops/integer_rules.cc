// Which ops compute integer results when run-time bool/int data is carried as exact
// float values (compile/integer_lowering.h).
#include "ops/op_rules.h"

namespace toonbox::ops::rules {

using graph::binary_op_name;
using graph::BinaryOp;
using graph::BinaryParams;
using graph::Node;
using graph::op_kind_name;
using graph::ReduceOp;
using graph::ReduceParams;
using graph::unary_op_name;
using graph::UnaryOp;
using graph::UnaryParams;

std::string integers_exact(const Node&) { return ""; }

std::string integers_refused(const Node& node) {
  return std::string(op_kind_name(node.kind)) + " on integers";
}

std::string integers_binary(const Node& node) {
  const BinaryOp op = node.p<BinaryParams>().op;
  switch (op) {
    case BinaryOp::kDiv:
    case BinaryOp::kPow:
      return std::string("integer ") + binary_op_name(op) + " (rounding differs from float)";
    default:
      return "";
  }
}

std::string integers_unary(const Node& node) {
  const UnaryOp op = node.p<UnaryParams>().op;
  switch (op) {
    case UnaryOp::kIdentity:
    case UnaryOp::kRelu:
    case UnaryOp::kClip:
    case UnaryOp::kAbs:
    case UnaryOp::kNeg:
    case UnaryOp::kFloor:
    case UnaryOp::kRound:
    case UnaryOp::kSquare:
    case UnaryOp::kNot:
      return "";
    default:
      return std::string("unary ") + unary_op_name(op) + " on integers";
  }
}

std::string integers_reduce(const Node& node) {
  return node.p<ReduceParams>().op == ReduceOp::kMean ? "integer ReduceMean (truncates)" : "";
}

}  // namespace toonbox::ops::rules
