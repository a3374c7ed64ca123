// Element access shared by the reference kernel files (not a public interface).
#pragma once

#include <functional>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"

namespace toonbox::ops {

inline double load(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat32:
      return t.data<float>()[i];
    case DType::kFloat16:
      return half_to_float(t.data<uint16_t>()[i]);
    case DType::kInt32:
      return t.data<int32_t>()[i];
    case DType::kInt64:
      return static_cast<double>(t.data<int64_t>()[i]);
    default:
      return t.data<uint8_t>()[i];
  }
}

inline void store(Tensor& t, int64_t i, double v) {
  switch (t.dtype()) {
    case DType::kFloat32:
      t.data<float>()[i] = static_cast<float>(v);
      break;
    case DType::kFloat16:
      t.data<uint16_t>()[i] = float_to_half(static_cast<float>(v));
      break;
    case DType::kInt32:
      t.data<int32_t>()[i] = static_cast<int32_t>(v);
      break;
    case DType::kInt64:
      t.data<int64_t>()[i] = static_cast<int64_t>(v);
      break;
    case DType::kBool:
      t.data<uint8_t>()[i] = v != 0 ? 1 : 0;
      break;
    default:
      t.data<uint8_t>()[i] = static_cast<uint8_t>(v);
      break;
  }
}

// One reference kernel per op kind (reference.cc, reference_tensor.cc): what the op
// table (op_defs.cc) points to. `out` comes allocated with the inferred shapes.
namespace reference_detail {
using Inputs = std::vector<const Tensor*>;
using Outputs = std::vector<Tensor>;
Status eval_conv2d(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_binary(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_unary(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_resize(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_conv_transpose(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_matmul(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_pool(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_reduce(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_softmax(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_transpose(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_reshape(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_concat(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_slice(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_pad(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_gather(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_expand(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_tile(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_cast(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_where(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_prelu(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_depth_to_space(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_space_to_depth(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_instance_norm(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_dft(const graph::Node& node, const Inputs& in, Outputs& out);  // dft_op.cc
Status eval_shape(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_strided_slice(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_pack(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_fill(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_identity(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_range(const graph::Node& node, const Inputs& in, Outputs& out);
Status eval_arg_max(const graph::Node& node, const Inputs& in, Outputs& out);  // index_ops.cc
Status eval_scatter_elements(const graph::Node& node, const Inputs& in,
                             Outputs& out);  // index_ops.cc
}  // namespace reference_detail

}  // namespace toonbox::ops
