#include "backend/cuda/step.h"

#include <algorithm>
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

std::string node_description(const graph::Graph& g, const graph::Node& node, Precision precision) {
  std::string d = "node '" + node.name + "' (" + graph::op_kind_name(node.kind);
  if (node.kind == graph::OpKind::kUnary)
    d += std::string(" ") + graph::unary_op_name(node.p<graph::UnaryParams>().op);
  if (node.kind == graph::OpKind::kBinary)
    d += std::string(" ") + graph::binary_op_name(node.p<graph::BinaryParams>().op);
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

Result<DeviceBuffer> upload_ints(const BuildContext& ctx, const std::vector<int64_t>& v,
                                 const char* what) {
  TB_ASSIGN_OR_RETURN(DeviceBuffer b, DeviceBuffer::allocate(
                                          std::max<size_t>(v.size(), 1) * sizeof(int64_t), what));
  if (!v.empty())
    TB_RETURN_IF_ERROR(upload(ctx.step.stream, b.get(), v.data(), v.size() * sizeof(int64_t)));
  return b;
}

namespace {

class KernelStep final : public Step {
 public:
  KernelStep(std::string description, std::function<cudaError_t(cudaStream_t)> launch,
             std::vector<DeviceBuffer> tables)
      : launch_(std::move(launch)), tables_(std::move(tables)) {
    description_ = std::move(description);
  }
  Status run(const StepContext& ctx) override {
    TB_CUDA_RETURN_IF_ERROR(launch_(ctx.stream));
    return Status::ok();
  }

 private:
  std::function<cudaError_t(cudaStream_t)> launch_;
  std::vector<DeviceBuffer> tables_;
};

}  // namespace

std::unique_ptr<Step> kernel_step(std::string description,
                                  std::function<cudaError_t(cudaStream_t)> launch,
                                  std::vector<DeviceBuffer> tables) {
  return std::make_unique<KernelStep>(std::move(description), std::move(launch), std::move(tables));
}

}  // namespace toonbox::cuda
