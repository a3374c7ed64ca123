#include "backend/cuda/step.h"

#include <cstring>

#include "backend/cuda/cuda_check.h"

namespace toonbox::cuda {

Status Workspace::reserve(size_t bytes) {
  if (bytes <= buffer_.size()) return Status::ok();
  return resize(bytes);
}

Status Workspace::resize(size_t bytes) {
  if (bytes == buffer_.size()) return Status::ok();
  buffer_.reset();  // free first: the old and new buffer need not fit together
  TB_ASSIGN_OR_RETURN(buffer_, DeviceBuffer::allocate(bytes, "cuDNN workspace"));
  return Status::ok();
}

std::string node_description(const Graph& g, const Node& node, Precision precision) {
  std::string d = "node '" + node.name + "' (" + op_kind_name(node.kind);
  if (node.kind == OpKind::kUnary)
    d += std::string(" ") + unary_op_name(node.p<UnaryParams>().op);
  if (node.kind == OpKind::kBinary)
    d += std::string(" ") + binary_op_name(node.p<BinaryParams>().op);
  for (size_t i = 0; i < node.inputs.size(); ++i)
    d += (i ? ", " : " ") + shape_to_string(g.value(node.inputs[i]).shape);
  return d + " -> " + shape_to_string(g.value(node.outputs[0]).shape) + " " +
         precision_name(precision) + ")";
}

std::vector<std::byte> to_storage(const float* values, size_t count, Precision precision) {
  std::vector<std::byte> bytes(count * storage_size(precision));
  if (is_half(precision)) {
    auto* out = reinterpret_cast<uint16_t*>(bytes.data());
    for (size_t i = 0; i < count; ++i) out[i] = float_to_half(values[i]);
  } else if (count > 0) {
    std::memcpy(bytes.data(), values, count * sizeof(float));
  }
  return bytes;
}

Status upload(cudaStream_t stream, void* device, const void* host, size_t bytes) {
  if (bytes == 0) return Status::ok();
  TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream));
  TB_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream));
  return Status::ok();
}

}  // namespace toonbox::cuda
