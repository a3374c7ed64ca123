#include "pipeline/restore/restore_precision.h"

namespace toonbox::pipeline {

bool selects_by_computed_scores(const graph::Graph& g) {
  for (const graph::Node& node : g.nodes()) {
    // The importer lowers TopK with k = 1 (CodeFormer's lookup) to ArgMax.
    if (node.kind != graph::OpKind::kArgMax) continue;
    if (!node.inputs.empty() && !g.is_constant(node.inputs[0]) && is_floating(g.value(node.inputs[0]).dtype))
      return true;
  }
  return false;
}

RestorePrecision restore_precision(const graph::Graph& g, Precision requested) {
  if (requested != Precision::kFloat16 || !selects_by_computed_scores(g)) return {requested, ""};
  return {Precision::kFloat32,
          "ran in fp32, not fp16: the model picks codes by ArgMax/TopK over computed scores, and in half "
          "precision near-ties pick other codes (CodeFormer's reference net: 28 dB against PyTorch in fp16)"};
}

}  // namespace toonbox::pipeline
