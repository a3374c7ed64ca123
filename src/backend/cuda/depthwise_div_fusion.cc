#include "backend/cuda/depthwise_div_fusion.h"

#include <algorithm>

#include "backend/cuda/conv_common.h"

namespace toonbox::cuda {

namespace {

// [1 or N, H, W, 1 or C] against the output [N, H, W, C], or a single element.
bool divisor_broadcasts(const Shape& divisor, const Shape& out) {
  if (shape_numel(divisor) == 1) return true;
  return divisor.size() == 4 && (divisor[0] == 1 || divisor[0] == out[0]) && divisor[1] == out[1] &&
         divisor[2] == out[2] && (divisor[3] == 1 || divisor[3] == out[3]);
}

bool is_nhwc_depthwise(const graph::Graph& g, const graph::Node& node) {
  if (node.kind != graph::OpKind::kConv2D || node.p<graph::Conv2DParams>().layout != graph::Layout::kNHWC)
    return false;
  const ConvShape s = conv_shape(g, node);
  // The direct kernel's row path, the only one that divides (depthwise_rows_fit).
  constexpr int64_t kRowLimit = int64_t{1} << 30;
  return s.groups > 1 && s.cg == 1 && s.groups == s.c && int64_t{s.out_w} * s.k < kRowLimit &&
         int64_t{s.w} * s.c < kRowLimit && int64_t{s.n} * s.out_h < kRowLimit;
}

}  // namespace

std::vector<int> depthwise_div_pairs(const graph::Graph& g, const std::vector<int>& taken) {
  const auto& nodes = g.nodes();
  const std::vector<int> readers = g.use_counts();  // node inputs and graph outputs
  std::vector<int> pairs(nodes.size(), -1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (taken[i] >= 0 || !is_nhwc_depthwise(g, nodes[i])) continue;
    const int out = nodes[i].outputs[0];
    if (readers[out] != 1) continue;  // read only by the Div (and not a graph output)
    size_t j = i + 1;
    while (j < nodes.size() && std::find(nodes[j].inputs.begin(), nodes[j].inputs.end(), out) == nodes[j].inputs.end())
      ++j;
    if (j == nodes.size() || taken[j] >= 0) continue;
    const graph::Node& div = nodes[j];
    if (div.kind != graph::OpKind::kBinary || div.p<graph::BinaryParams>().op != graph::BinaryOp::kDiv ||
        div.inputs.size() != 2 || div.inputs[0] != out || div.inputs[1] == out)
      continue;
    const graph::Value& divisor = g.value(div.inputs[1]);
    const Shape& shape = g.value(out).shape;
    if (divisor.producer >= static_cast<int>(i) || !divisor_broadcasts(divisor.shape, shape) ||
        g.value(div.outputs[0]).shape != shape)
      continue;
    pairs[i] = static_cast<int>(j);
  }
  return pairs;
}

void depthwise_div_lifetimes(const graph::Graph& g, const std::vector<int>& pairs,
                             std::vector<compile::BufferRequest>* requests) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i] < 0) continue;
    compile::BufferRequest& out = (*requests)[g.nodes()[pairs[i]].outputs[0]];
    out.first_step = std::min(out.first_step, static_cast<int>(i));
  }
}

DivisorStrides divisor_strides(const graph::Graph& g, const graph::Node& div) {
  const Shape& d = g.value(div.inputs[1]).shape;
  if (shape_numel(d) == 1) return {};
  DivisorStrides s;
  s.image = d[0] == 1 ? 0 : d[1] * d[2] * d[3];
  s.pixel = static_cast<int>(d[3]);
  s.channel = d[3] == 1 ? 0 : 1;
  return s;
}

}  // namespace toonbox::cuda
