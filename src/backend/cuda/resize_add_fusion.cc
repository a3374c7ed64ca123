#include "backend/cuda/resize_add_fusion.h"

#include <algorithm>

namespace toonbox::cuda {

std::vector<int> resize_add_pairs(const graph::Graph& g) {
  const auto& nodes = g.nodes();
  const std::vector<int> readers = g.use_counts();  // node inputs and graph outputs
  std::vector<int> pairs(nodes.size(), -1);
  for (size_t i = 0; i + 1 < nodes.size(); ++i) {
    const graph::Node& resize = nodes[i];
    const graph::Node& add = nodes[i + 1];
    if (resize.kind != graph::OpKind::kResize || add.kind != graph::OpKind::kBinary) continue;
    if (resize.p<graph::ResizeParams>().mode == graph::ResizeMode::kCubic)
      continue;  // its kernel takes no addend
    if (add.p<graph::BinaryParams>().op != graph::BinaryOp::kAdd || add.inputs.size() != 2)
      continue;
    const int up = resize.outputs[0];
    if (readers[up] != 1) continue;  // read only by the Add (and not a graph output)
    const bool first = add.inputs[0] == up, second = add.inputs[1] == up;
    if (first == second) continue;  // x + x, or not this resize's output
    const int addend = first ? add.inputs[1] : add.inputs[0];
    if (g.value(addend).shape != g.value(up).shape || g.value(add.outputs[0]).shape != g.value(up).shape) continue;
    pairs[i] = static_cast<int>(i + 1);
  }
  return pairs;
}

void fused_pair_lifetimes(const graph::Graph& g, const std::vector<int>& pairs,
                          std::vector<compile::BufferRequest>* requests) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i] < 0) continue;
    compile::BufferRequest& input = (*requests)[g.nodes()[i].inputs[0]];
    input.last_step = std::max(input.last_step, pairs[i]);
  }
}

}  // namespace toonbox::cuda
