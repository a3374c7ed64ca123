// A graph compiled for one GPU at one set of input shapes.
//
// compile(): every activation gets a slot in ONE device arena planned by the memory
// planner (plan_memory over activation_requests, plus per-node scratch), allocated
// once; weights are uploaded once, reordered for their kernel (KRSC for NHWC convs);
// each conv's cuDNN algorithm is searched or taken from the cache. run(): upload the
// float32 inputs (cast to half on the device for fp16), enqueue the steps on the
// executable's stream, download, and wait once at the end.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "backend/backend.h"
#include "backend/cuda/cuda_handles.h"
#include "backend/cuda/kernels/pixels.h"
#include "backend/cuda/step.h"
#include "backend/cuda/step_profiler.h"

namespace toonbox::cuda {

class CudaExecutable final : public backend::Executable {
 public:
  // `backend` answers the capability query (unsupported_nodes) for every node first.
  static Result<std::unique_ptr<backend::Executable>> compile(
      const backend::Backend& backend, int device, const graph::Graph& graph,
      const backend::CompileOptions& options);
  ~CudaExecutable() override;

  Status run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs,
             backend::RunTimings* timings) override;
  size_t arena_bytes() const override { return arena_.size(); }
  bool runs_pixels() const override;
  Shape output_shape(size_t i) const override { return i < outputs_.size() ? outputs_[i].shape : Shape{}; }
  Status run_pixels(const backend::PixelConversion& conversion, const backend::PixelBatch& batch,
                    backend::RunTimings* timings) override;

 private:
  struct Binding {
    std::string name;
    Shape shape;
    void* device = nullptr;       // arena slot (storage type)
    size_t host_offset = 0;       // in the pinned buffer and the fp32 staging buffer
    std::optional<Tensor> constant;  // outputs that are constants need no device copy
  };

  CudaExecutable() = default;
  Status build(const backend::Backend& backend, int device, const graph::Graph& graph,
               const backend::CompileOptions& options);
  // The three parts of build: the arena (and each conv's scratch pointer, per node),
  // one step per node, the input/output bindings and their host buffers.
  Status plan_arena(const graph::Graph& graph, std::vector<void*>* scratch);
  Status build_steps(const graph::Graph& graph, const std::vector<void*>& scratch);
  Status bind_inputs_outputs(const graph::Graph& graph);
  Result<void*> value_ptr(const graph::Graph& graph, int value);
  Status enqueue(const std::vector<Tensor>& inputs);
  // The steps: replayed from the captured CUDA graph when there is one; the first run
  // goes step by step, the second is captured (capture()) and launched.
  Status enqueue_steps();
  Status capture(const StepContext& ctx);
  Status enqueue_download();
  // run_pixels' copies and conversion kernels around the steps (geometries checked by it).
  Status enqueue_pixels(const PixelTensorGeometry& in, const PixelTensorGeometry& out,
                        const backend::PixelBatch& batch, int out_w, int out_h);
  Status wait_for_run();
  Status read_timings(backend::RunTimings* timings);

  int device_ = 0;
  Precision precision_ = Precision::kFloat32;
  std::mutex run_mutex_;  // one run at a time: runs share the pinned and staging buffers
  // Declared first so they are destroyed last, after everything that uses them.
  UniqueStream stream_;
  UniqueCudnn cudnn_;
  UniqueCublas cublas_;
  UniqueEvent start_, uploaded_, computed_, done_;
  DeviceBuffer arena_;
  std::vector<size_t> offsets_;  // per graph value
  Workspace workspace_;
  std::vector<std::pair<int, DeviceBuffer>> constants_;  // value id -> storage-type copy
  std::vector<std::unique_ptr<Step>> steps_;
  DeviceBuffer cublas_workspace_;  // cuBLAS must not allocate while a graph is captured
  UniqueGraphExec graph_;
  std::vector<int> fused_with_;  // per node: the Add a Resize runs with, or -1 (resize_add_fusion.h)
  std::vector<int> depthwise_div_;  // per node: the Div a depthwise conv runs with, or -1 (depthwise_div_fusion.h)
  int uncaptured_runs_ = 0;
  bool capture_failed_ = false;
  std::unique_ptr<StepProfiler> profiler_;  // TOONBOX_CUDA_PROFILE_STEPS=1 only
  DeviceBuffer staging_;  // float32 side of the fp16 casts
  PinnedBuffer host_in_, host_out_;
  // run_pixels: 8-bit pixels (n x H x W x 3 of the compiled shape bounds every call's),
  // pinned on the host and on the device, allocated at the first such run.
  PinnedBuffer host_pixels_;
  DeviceBuffer device_pixels_;
  std::vector<Binding> inputs_, outputs_;
};

}  // namespace toonbox::cuda
