// The op table: one row per OpKind (graph/op.h) saying what the op is. Passes and
// backends ask it instead of keeping their own lists of kinds, so a new op is a table
// row the compiler checks (size and order are static_asserts against the op-kind list),
// a shape function, a reference kernel, backend kernels behind switches without a
// default (-Werror=switch names a missing case) and a row in the op test matrix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/graph.h"

namespace toonbox::ops {

// kCompute: the ops every backend started with (Conv2D, Binary, Unary, Resize).
// kTensor: the tensor ops ONNX brought; backends implement them too, and with constant
//   inputs they fold like shape ops (Slice, Gather, Concat, Cast, Reshape carry shape
//   arithmetic).
// kShape: shape arithmetic that specialize() folds to constants; backends never see it
//   and the reference is its only kernel.
enum class OpClass : uint8_t { kCompute, kTensor, kShape };

struct OpDef {
  graph::OpKind kind;
  OpClass op_class;
  // Bit i set: input i is a compile-time parameter (a shape, indices, pads, a size):
  // constant after folding, consumed when a backend compiles the node and never read at
  // run time, so it keeps its integer type.
  uint32_t parameter_inputs;
  // Bit i set: input i is a weight (Conv2D's kernel and bias, ...) that backends read,
  // reorder or upload when they compile the node, so it must be constant.
  uint32_t weight_inputs;
  // With a batch bound to dim 0 and every run-time value carrying it: "" when the node
  // keeps the batch items apart, else why not ("reduces over the batch dim").
  // compile/batch_check.h walks the graph with it.
  std::string (*batch_refusal)(const graph::Graph& graph, const graph::Node& node);
  // Run-time bool and int data is carried as exact float values (compile/
  // integer_lowering.h): "" when float arithmetic on such values gives the node's
  // integer result, else why not ("integer div (rounding differs from float)").
  std::string (*integer_refusal)(const graph::Node& node);
  // Sets the output dtypes and shapes from the input shapes (and the values of constant
  // parameter inputs), resolving SAME padding; errors name the node.
  Status (*infer_shapes)(graph::Graph& graph, graph::Node& node);
  // The naive kernel (plain loops, double accumulation) on host tensors; `outputs` come
  // allocated with the inferred dtypes and shapes.
  Status (*reference)(const graph::Node& node, const std::vector<const Tensor*>& inputs,
                      std::vector<Tensor>& outputs);

  const char* name() const { return graph::op_kind_name(kind); }
};

const OpDef& op_def(graph::OpKind kind);

inline bool is_shape_op(graph::OpKind kind) { return op_def(kind).op_class == OpClass::kShape; }
bool is_parameter_input(const graph::Node& node, size_t input_index);
bool is_weight_input(const graph::Node& node, size_t input_index);

// Sets dtype and shape of node.outputs in `graph` once every input shape is known.
Status infer_node_shapes(graph::Graph& graph, graph::Node& node);

}  // namespace toonbox::ops
