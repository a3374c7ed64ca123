// Helpers shared by the shape-inference files, the op rules and the compile passes that
// read a node's constant inputs, and the shape function of every op kind (what the op
// table, op_defs.cc, points to). Not a public interface: callers outside ops/ and
// compile/ use infer_node_shapes (op_defs.h).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/tensor_geometry.h"
#include "ops/shape_inference.h"

namespace toonbox::ops::shape_detail {

inline Status node_error(const graph::Node& node, const std::string& what) {
  return invalid_argument("node '" + node.name + "' (" + graph::op_kind_name(node.kind) +
                          "): " + what);
}

inline Status expect_inputs(const graph::Node& node, size_t min, size_t max) {
  if (node.inputs.size() < min || node.inputs.size() > max) {
    return node_error(node, "got " + std::to_string(node.inputs.size()) + " inputs, expected " +
                                (min == max ? std::to_string(min)
                                            : std::to_string(min) + ".." + std::to_string(max)));
  }
  return Status::ok();
}

// Reads a small int tensor (int32/int64) that must be constant at this point.
inline Result<std::vector<int64_t>> constant_ints(const graph::Graph& g, const graph::Node& node,
                                                  int input_index) {
  const graph::Value& v = g.value(node.inputs[input_index]);
  if (!v.constant) {
    return node_error(node, "input " + std::to_string(input_index) + " ('" + v.name +
                                "') must be a constant after shape folding");
  }
  const Tensor& t = *v.constant;
  std::vector<int64_t> out(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (t.dtype() == DType::kInt32)
      out[i] = t.data<int32_t>()[i];
    else if (t.dtype() == DType::kInt64)
      out[i] = t.data<int64_t>()[i];
    else
      return node_error(node, std::string("expected an int tensor, got ") + dtype_name(t.dtype()));
  }
  return out;
}

// Slice's geometry from its constant starts, ends and optional axes and steps (inputs
// 1-4); an error names the node.
inline Result<graph::SliceGeometry> constant_slice(const graph::Graph& g, const graph::Node& node) {
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> starts, constant_ints(g, node, 1));
  TB_ASSIGN_OR_RETURN(std::vector<int64_t> ends, constant_ints(g, node, 2));
  std::vector<int64_t> axes, steps;
  if (node.inputs.size() > 3) {
    TB_ASSIGN_OR_RETURN(axes, constant_ints(g, node, 3));
  }
  if (node.inputs.size() > 4) {
    TB_ASSIGN_OR_RETURN(steps, constant_ints(g, node, 4));
  }
  auto geo = graph::resolve_slice(g.value(node.inputs[0]).shape, starts, ends, axes, steps);
  if (!geo.is_ok()) return node_error(node, geo.status().message());
  return geo;
}

inline Status set_output(graph::Graph& g, const graph::Node& node, DType dtype, Shape shape) {
  TB_RETURN_IF_ERROR(check_shape(shape, kMaxTensorElements, "node '" + node.name + "' output"));
  graph::Value& out = g.value(node.outputs[0]);
  out.dtype = dtype;
  out.shape = std::move(shape);
  return Status::ok();
}

// One shape function per op kind (shape_inference.cc, shape_inference_tensor.cc); Unary
// and Identity share infer_same_shape.
Status infer_conv2d(graph::Graph& g, graph::Node& node);
Status infer_binary(graph::Graph& g, graph::Node& node);
Status infer_same_shape(graph::Graph& g, graph::Node& node);
Status infer_resize(graph::Graph& g, graph::Node& node);
Status infer_conv_transpose(graph::Graph& g, graph::Node& node);
Status infer_matmul(graph::Graph& g, graph::Node& node);
Status infer_pool(graph::Graph& g, graph::Node& node);
Status infer_reduce(graph::Graph& g, graph::Node& node);
Status infer_softmax(graph::Graph& g, graph::Node& node);
Status infer_transpose(graph::Graph& g, graph::Node& node);
Status infer_reshape(graph::Graph& g, graph::Node& node);
Status infer_concat(graph::Graph& g, graph::Node& node);
Status infer_slice(graph::Graph& g, graph::Node& node);
Status infer_pad(graph::Graph& g, graph::Node& node);
Status infer_gather(graph::Graph& g, graph::Node& node);
Status infer_expand(graph::Graph& g, graph::Node& node);
Status infer_tile(graph::Graph& g, graph::Node& node);
Status infer_cast(graph::Graph& g, graph::Node& node);
Status infer_where(graph::Graph& g, graph::Node& node);
Status infer_prelu(graph::Graph& g, graph::Node& node);
Status infer_depth_to_space(graph::Graph& g, graph::Node& node);
Status infer_space_to_depth(graph::Graph& g, graph::Node& node);
Status infer_instance_norm(graph::Graph& g, graph::Node& node);
Status infer_dft(graph::Graph& g, graph::Node& node);  // dft_op.cc
Status infer_shape(graph::Graph& g, graph::Node& node);
Status infer_strided_slice(graph::Graph& g, graph::Node& node);
Status infer_pack(graph::Graph& g, graph::Node& node);
Status infer_fill(graph::Graph& g, graph::Node& node);
Status infer_range(graph::Graph& g, graph::Node& node);
Status infer_arg_max(graph::Graph& g, graph::Node& node);           // index_ops.cc
Status infer_scatter_elements(graph::Graph& g, graph::Node& node);  // index_ops.cc

}  // namespace toonbox::ops::shape_detail
