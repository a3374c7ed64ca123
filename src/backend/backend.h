// The backend interface, in the spirit of ggml's: a small capability query, compile a
// specialized graph once per input shape, run it many times.
//
// A backend receives a graph that has been through specialize() (all shapes concrete,
// shape ops folded) and the fusion passes. Inputs and outputs cross the interface as
// float32 host tensors; what happens inside (layouts, fp16, device memory, streams,
// algorithm choice, CUDA graphs) is the backend's business.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "graph/graph.h"

namespace toonbox::backend {

enum class DeviceKind : uint8_t { kCpu, kCuda };

struct DeviceDescription {
  DeviceKind kind = DeviceKind::kCpu;
  std::string id;     // "cpu" or "cuda:0": what --device accepts
  std::string label;  // "NVIDIA H200 (sm_90, 139 GiB)" or "x86-64, 16 threads, oneDNN 2.6.3"
  size_t memory_total = 0;  // bytes; 0 when unknown
  size_t memory_free = 0;
};

struct CompileOptions {
  Precision precision = Precision::kFloat32;
};

// Milliseconds spent in each phase of one run; filled by Executable::run.
struct RunTimings {
  double upload_ms = 0;
  double compute_ms = 0;
  double download_ms = 0;
};

class Executable {
 public:
  virtual ~Executable() = default;
  // `inputs` are float32 host tensors with exactly the shapes the graph was compiled
  // for; `outputs` receives float32 host tensors, one per graph output.
  virtual Status run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs,
                     RunTimings* timings) = 0;
  // Bytes of the planned activation arena (for reports and tests).
  virtual size_t arena_bytes() const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const DeviceDescription& device() const = 0;
  virtual bool supports(Precision precision) const = 0;
  // Capability query: "" when the backend can run `node` at `precision`, else why not.
  virtual std::string unsupported_reason(const Graph& graph, const Node& node,
                                         Precision precision) const = 0;
  virtual Result<std::unique_ptr<Executable>> compile(const Graph& specialized,
                                                      const CompileOptions& options) = 0;
  // Bytes that could be allocated now (CUDA: cudaMemGetInfo's free; CPU: the kernel's
  // MemAvailable), asked at the moment of use because other processes and our own
  // cached executables change it. Automatic tile sizes are derived from it.
  virtual Result<size_t> free_memory() const {
    return unimplemented(device().id + ": free memory is not known");
  }
};

// MemAvailable from /proc/meminfo (what can be allocated without swapping), else free
// physical pages from sysconf.
Result<size_t> host_available_memory();

// Returns every node the backend cannot run, as "node 'name' (Op): reason" lines, so a
// user sees all problems at once rather than one per attempt.
std::vector<std::string> unsupported_nodes(const Backend& backend, const Graph& graph,
                                           Precision precision);

}  // namespace toonbox::backend
