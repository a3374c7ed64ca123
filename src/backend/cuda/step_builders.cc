#include "backend/cuda/step_builders.h"

#include "backend/cuda/conv_steps.h"
#include "backend/cuda/data_movement_steps.h"
#include "backend/cuda/elementwise_steps.h"
#include "backend/cuda/index_steps.h"
#include "backend/cuda/fft_step.h"
#include "backend/cuda/matmul_cublas.h"
#include "backend/cuda/reduction_steps.h"
#include "backend/cuda/resize_step.h"
#include "backend/tensor_plans.h"

namespace toonbox::cuda {

using graph::Graph;
using graph::Node;
using graph::op_kind_name;
using graph::OpKind;

namespace {

// The tensor-op builders leave naming the node to their caller.
Result<std::unique_ptr<Step>> naming_node(const BuildContext& ctx, const Node& node,
                                          Result<std::unique_ptr<Step>> step) {
  if (!step.is_ok())
    return step.status().with_context(node_description(*ctx.graph, node, ctx.precision));
  return step;
}

Result<std::unique_ptr<Step>> gather(const BuildContext& ctx, const Node& node,
                                     Result<backend::GatherTable> table) {
  if (!table.is_ok()) return table.status();
  return make_gather_step(ctx, node, std::move(*table));
}

}  // namespace

Result<std::unique_ptr<Step>> make_step(const BuildContext& ctx, const Node& node,
                                        void* conv_scratch) {
  const Graph& g = *ctx.graph;
  // One case per op kind and no default: -Werror=switch names an op without a CUDA step.
  switch (node.kind) {
    case OpKind::kConv2D: return make_conv2d_step(ctx, node, conv_scratch);
    case OpKind::kBinary:
    case OpKind::kPRelu: return make_binary(ctx, node);
    case OpKind::kUnary: return make_unary(ctx, node);
    case OpKind::kResize: return make_resize(ctx, node);
    case OpKind::kMatMul: return make_matmul(ctx, node);
    case OpKind::kConvTranspose: return naming_node(ctx, node, make_conv_transpose_step(ctx, node));
    case OpKind::kPool: return naming_node(ctx, node, make_pool_step(ctx, node));
    case OpKind::kReduce: return naming_node(ctx, node, make_reduce_step(ctx, node));
    case OpKind::kSoftmax: return naming_node(ctx, node, make_softmax_step(ctx, node));
    case OpKind::kInstanceNorm: return naming_node(ctx, node, make_instance_norm_step(ctx, node));
    case OpKind::kTranspose:
      return naming_node(ctx, node, gather(ctx, node, backend::transpose_table(g, node)));
    case OpKind::kSlice:
      return naming_node(ctx, node, gather(ctx, node, backend::slice_table(g, node)));
    case OpKind::kPad:
      return naming_node(ctx, node, gather(ctx, node, backend::pad_table(g, node)));
    case OpKind::kGather:
      return naming_node(ctx, node, gather(ctx, node, backend::gather_index_table(g, node)));
    case OpKind::kExpand:
    case OpKind::kTile:
      return naming_node(ctx, node, gather(ctx, node, backend::broadcast_table(g, node)));
    case OpKind::kDepthToSpace:
    case OpKind::kSpaceToDepth:
      return naming_node(ctx, node, gather(ctx, node, backend::depth_space_table(g, node)));
    case OpKind::kDft: return naming_node(ctx, node, make_dft_step(ctx, node));
    case OpKind::kReshape:
    case OpKind::kCast: return naming_node(ctx, node, make_copy_step(ctx, node));
    case OpKind::kConcat: return naming_node(ctx, node, make_concat_step(ctx, node));
    case OpKind::kWhere: return naming_node(ctx, node, make_where_step(ctx, node));
    case OpKind::kShape:
    case OpKind::kStridedSlice:
    case OpKind::kPack:
    case OpKind::kFill:
    case OpKind::kIdentity:
    case OpKind::kRange: break;  // refused by the capability query
    case OpKind::kArgMax: return naming_node(ctx, node, make_arg_max_step(ctx, node));
    case OpKind::kScatterElements:
      return naming_node(ctx, node, make_scatter_elements_step(ctx, node));
  }
  return internal_error(std::string("no CUDA step for ") + op_kind_name(node.kind));
}

}  // namespace toonbox::cuda
