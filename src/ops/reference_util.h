// Element access shared by the reference kernel files (not a public interface).
#pragma once

#include <functional>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"

namespace toonbox {

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

// The ONNX-era tensor ops (reference_tensor.cc); outputs are allocated by the caller.
Status reference_eval_tensor_op(const Node& node, const std::vector<const Tensor*>& in,
                                std::vector<Tensor>& out);

}  // namespace toonbox
