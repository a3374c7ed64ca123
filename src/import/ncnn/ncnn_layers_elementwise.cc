// ReLU, Sigmoid, BinaryOp and Eltwise (src/layer/<type>.cpp in ncnn).
#include "import/ncnn/ncnn_layer_params.h"
#include "import/ncnn/ncnn_layers.h"

namespace toonbox::ncnn {

using graph::BinaryOp;
using graph::BinaryParams;
using graph::OpKind;
using graph::UnaryOp;
using graph::UnaryParams;

namespace {

Status relu_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  LayerParams p(l);
  const float slope = p.f(0, 0.f);
  TB_RETURN_IF_ERROR(p.status());
  const BlobValue in = b.input(l, 0);
  const UnaryParams u =
      slope == 0.f ? UnaryParams{UnaryOp::kRelu} : UnaryParams{UnaryOp::kLeakyRelu, slope};
  b.bind(l, 0, {b.add(OpKind::kUnary, l, "", {in.value}, u), in.rank, in.channels});
  return Status::ok();
}

Status sigmoid_build(Builder& b, const Layer& l, Weights&) {
  TB_RETURN_IF_ERROR(b.expect_blobs(l, 1, 1));
  const BlobValue in = b.input(l, 0);
  b.bind(l, 0,
         {b.add(OpKind::kUnary, l, "", {in.value}, UnaryParams{UnaryOp::kSigmoid}), in.rank,
          in.channels});
  return Status::ok();
}

// The shape two blobs broadcast to, in ncnn's rules (binaryop.cpp): equal ranks
// broadcast dim by dim; a 1-D blob against a 3-D one runs along C when its length is C
// (or 1), which the [N,W,1,1] form of 1-D blobs gives directly. Its other reading (along
// W when the length is not C) is refused, as is anything 2-D or 4-D.
Result<BlobValue> broadcast(Builder& b, const Layer& l, const BlobValue& x, const BlobValue& y) {
  if ((x.rank != 1 && x.rank != 3) || (y.rank != 1 && y.rank != 3))
    return b.unsupported(l, "operands of " + std::to_string(x.rank) + " and " +
                                std::to_string(y.rank) + " dims are not supported");
  BlobValue out{-1, std::max(x.rank, y.rank), std::max(x.channels, y.channels)};
  if (x.rank != y.rank) {
    const BlobValue& vec = x.rank == 1 ? x : y;
    const BlobValue& img = x.rank == 1 ? y : x;
    if (vec.channels != 1 &&
        (vec.channels < 0 || img.channels < 0 || vec.channels != img.channels)) {
      auto count = [](int64_t n) {
        return n < 0 ? std::string("an unknown number of") : std::to_string(n);
      };
      return b.unsupported(
          l, "a 1-D operand of " + count(vec.channels) + " values against a 3-D one of " +
                 count(img.channels) +
                 " channels: only per-channel broadcasting (length = channels, known "
                 "at import) is supported");
    }
    out.channels = img.channels;
  } else if (x.channels >= 0 && y.channels >= 0 && x.channels != y.channels && x.channels != 1 &&
             y.channels != 1) {
    return b.error(l, "got operands of " + std::to_string(x.channels) + " and " +
                          std::to_string(y.channels) + " channels, expected equal (or 1)");
  }
  return out;
}

// BinaryOp: 0 op_type, 1 with_scalar, 2 b. Ops 7..9 are the reversed sub, div and pow.
Status binary_op_build(Builder& b, const Layer& l, Weights&) {
  LayerParams p(l);
  const int op = p.i(0, 0), with_scalar = p.i(1, 0);
  const float scalar = p.f(2, 0.f);
  p.range(with_scalar, 0, 1, 1, "with_scalar");
  TB_RETURN_IF_ERROR(p.status());
  static constexpr BinaryOp kOps[] = {
      BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv, BinaryOp::kMax,
      BinaryOp::kMin, BinaryOp::kPow, BinaryOp::kSub, BinaryOp::kDiv, BinaryOp::kPow};
  if (op < 0 || op > 9)
    return b.unsupported(l, "op_type (0) " + std::to_string(op) +
                                " is not supported (0..9: add sub mul div max min pow rsub "
                                "rdiv rpow)");
  TB_RETURN_IF_ERROR(b.expect_blobs(l, with_scalar ? 1 : 2, 1));
  BlobValue x = b.input(l, 0), y;
  if (with_scalar) {
    y = {b.constant(l, "/b", Tensor::from_vector<float>({1}, {scalar})), x.rank, 1};
  } else {
    y = b.input(l, 1);
  }
  TB_ASSIGN_OR_RETURN(BlobValue out, broadcast(b, l, x, y));
  const bool reversed = op >= 7;
  out.value =
      b.add(OpKind::kBinary, l, "", {reversed ? y.value : x.value, reversed ? x.value : y.value},
            BinaryParams{kOps[op]});
  b.bind(l, 0, out);
  return Status::ok();
}

// Eltwise: 0 op_type (0 product, 1 sum, 2 max), 1 coeffs for the sum. Inputs have one shape.
Status eltwise_build(Builder& b, const Layer& l, Weights&) {
  LayerParams p(l);
  const int op = p.i(0, 0);
  const std::vector<float> coeffs = p.floats(1);
  p.range(op, 0, 2, 0, "op_type: 0 prod, 1 sum, 2 max");
  TB_RETURN_IF_ERROR(p.status());
  if (l.bottoms.size() < 2 || l.tops.size() != 1)
    return b.error(l, "got " + std::to_string(l.bottoms.size()) + " inputs and " +
                          std::to_string(l.tops.size()) + " outputs, expected at least 2 and 1");
  if (!coeffs.empty() && coeffs.size() != l.bottoms.size())
    return b.error(l, "got " + std::to_string(coeffs.size()) + " coeffs (1), expected " +
                          std::to_string(l.bottoms.size()) + " (one per input)");
  const bool weighted = op == 1 && !coeffs.empty();
  auto term = [&](size_t i) {
    const int v = b.input(l, i).value;
    if (!weighted || coeffs[i] == 1.f) return v;
    const int c =
        b.constant(l, "/coeff" + std::to_string(i), Tensor::from_vector<float>({1}, {coeffs[i]}));
    return b.add(OpKind::kBinary, l, "/scaled" + std::to_string(i), {v, c},
                 BinaryParams{BinaryOp::kMul});
  };
  const BinaryOp bop = op == 0 ? BinaryOp::kMul : op == 1 ? BinaryOp::kAdd : BinaryOp::kMax;
  BlobValue acc = b.input(l, 0);
  acc.value = term(0);
  for (size_t i = 1; i < l.bottoms.size(); ++i) {
    const BlobValue& next = b.input(l, i);
    if (next.rank != acc.rank ||
        (next.channels >= 0 && acc.channels >= 0 && next.channels != acc.channels))
      return b.error(l, "input " + std::to_string(i) + " has another shape than input 0 " +
                            "(Eltwise needs equal shapes)");
    const std::string suffix = i + 1 == l.bottoms.size() ? "" : "/" + std::to_string(i);
    acc.value = b.add(OpKind::kBinary, l, suffix, {acc.value, term(i)}, BinaryParams{bop});
    if (acc.channels < 0) acc.channels = next.channels;
  }
  b.bind(l, 0, acc);
  return Status::ok();
}

}  // namespace

void add_elementwise_layers(LayerTable& t) {
  t["ReLU"] = {nullptr, relu_build};
  t["Sigmoid"] = {nullptr, sigmoid_build};
  t["BinaryOp"] = {nullptr, binary_op_build};
  t["Eltwise"] = {nullptr, eltwise_build};
}

}  // namespace toonbox::ncnn
