// A compiled graph is a list of steps, one per node, each enqueueing its work on the
// executable's stream. Every pointer a step uses (arena slots, weights, scratch) is
// fixed at compile time and a step never synchronizes or allocates while it runs, so
// the whole list can later be captured once into a CUDA graph and replayed.
#pragma once

#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backend/cuda/cuda_handles.h"
#include "core/dtype.h"
#include "core/status.h"
#include "graph/graph.h"

namespace toonbox::cuda {

// Scratch memory for cuDNN algorithms, shared by all steps of an executable (they run
// one after another on one stream). It grows while steps are compiled and is trimmed
// to what the chosen algorithms need at the end.
class Workspace {
 public:
  Status reserve(size_t bytes);  // at least `bytes`; keeps the buffer when it is enough
  Status resize(size_t bytes);   // exactly `bytes`
  void* get() const { return buffer_.get(); }
  size_t size() const { return buffer_.size(); }

 private:
  DeviceBuffer buffer_;
};

struct StepContext {
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  Workspace* workspace = nullptr;
};

class Step {
 public:
  virtual ~Step() = default;
  virtual Status run(const StepContext& ctx) = 0;
  // Workspace bytes the step needs when it runs.
  virtual size_t workspace_bytes() const { return 0; }
  // Adds the step to the backend's counters (counters.h). Called once for the step a node
  // compiled to, not for candidates built only to be timed against it.
  virtual void count_as_chosen() const {}
  // "node 'conv1' (Conv2D NHWC [1,32,33,35] * [16,35,3,3] -> [1,32,33,16], cuDNN ...)":
  // prefixed to every error the step returns.
  const std::string& description() const { return description_; }
  // "..., <note>)": what was decided about the step after it was built (e.g. timings).
  void append_to_description(const std::string& note) {
    description_.insert(description_.empty() ? 0 : description_.size() - 1, ", " + note);
  }

 protected:
  std::string description_;
};

// What a step builder may use while compiling a node.
struct BuildContext {
  int device = 0;
  Precision precision = Precision::kFloat32;
  const graph::Graph* graph = nullptr;
  StepContext step;
  // Device address of a value: its arena slot, or for a constant a copy uploaded once in
  // the storage type (float or half, original layout).
  std::function<Result<void*>(int value)> value_ptr;
};

inline bool is_half(Precision p) { return p == Precision::kFloat16; }
inline size_t storage_size(Precision p) { return is_half(p) ? 2 : 4; }

// "node 'add' (Binary Add [1,7,9,3], [3] -> [1,7,9,3] fp16)": the op name after the kind
// for Unary and Binary only. The elementwise and tensor-op steps use it as it is.
std::string node_description(const graph::Graph& graph, const graph::Node& node,
                             Precision precision);

// Host float32 values converted to the storage type, as raw bytes.
std::vector<std::byte> to_storage(const float* values, size_t count, Precision precision);

// Synchronous upload on `stream` (compile time only).
Status upload(cudaStream_t stream, void* device, const void* host, size_t bytes);

// int64 tables (gather offsets, reduction windows) uploaded once at compile time.
Result<DeviceBuffer> upload_ints(const BuildContext& ctx, const std::vector<int64_t>& values,
                                 const char* what);

// A step that runs one launch closure and owns the device tables the closure reads.
std::unique_ptr<Step> kernel_step(std::string description,
                                  std::function<cudaError_t(cudaStream_t)> launch,
                                  std::vector<DeviceBuffer> tables = {});

// Calls f(T{}) with T = __half (fp16 storage) or float.
template <typename F>
cudaError_t by_type(bool half, F&& f) {
  return half ? f(__half{}) : f(float{});
}

}  // namespace toonbox::cuda
