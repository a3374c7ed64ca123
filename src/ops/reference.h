// Naive reference kernels: the oracle every backend is tested against, and the
// evaluator constant folding uses. Plain loops, accumulation in double, no tricks, so
// that a reader can check each one against the op's definition.
#pragma once

#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/graph.h"

namespace toonbox::ops {

// Evaluates `node` on host tensors. Output shapes must already be inferred in `graph`.
// Float tensors are float32; integer shape tensors int32 or int64.
Status reference_eval(const graph::Graph& graph, const graph::Node& node,
                      const std::vector<const Tensor*>& inputs, std::vector<Tensor>* outputs);

struct ReferenceOptions {
  // Rounds every float activation through half precision after each op: predicts the
  // error of an fp16-storage backend without a GPU.
  bool emulate_fp16_storage = false;
};

// Runs a specialized graph node by node with the reference kernels.
Result<std::vector<Tensor>> reference_run(const graph::Graph& specialized,
                                          const std::vector<Tensor>& inputs,
                                          const ReferenceOptions& options = {});

// The scalar functions shared with backends' own tests.
double reference_unary(graph::UnaryOp op, double x, float alpha, float beta);
double reference_binary(graph::BinaryOp op, double a, double b);

}  // namespace toonbox::ops
