// The backend interface, in the spirit of ggml's: a small capability query, compile a
// specialized graph once per input shape, run it many times.
//
// A backend receives a graph that has been through specialize() (all shapes concrete,
// shape ops folded) and the fusion passes. Inputs and outputs cross the interface as
// float32 host tensors; what happens inside (layouts, fp16, device memory, streams,
// algorithm choice, CUDA graphs) is the backend's business.
#pragma once

#include <cstdint>
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

// 8-bit RGB pixels in and out of a one-input image model, converted on the device, so
// the host never touches float tensors (issue 14): the same conversion as
// pipeline/image_tensor.h's fill_image_tensor and output_to_image, which the tests
// compare bit for bit.
struct PixelConversion {
  bool nhwc = true;  // the tensor's layout ([n,h,w,3] or [n,3,h,w])
  bool bgr = false;  // tensor channel 0 is blue
  // Input: tensor = in_lo + pixel * in_scale. Output: pixel = round((tensor - out_lo) * out_scale),
  // clamped to 0..255, channel order as the input's; a 1-channel output reads as grey.
  float in_lo = 0, in_scale = 1, out_lo = 0, out_scale = 1;
  // The image sits at (margin, margin) of the tensor; the rest of the tensor's H x W is
  // edge-replicated. The output window read back starts at (margin, margin) of output 0.
  int margin = 0;
};

// One call's images, all width x height, tightly packed RGB (3 bytes a pixel): `inputs`
// and `outputs` (written; out_width x out_height each) hold one pointer per batch item of
// the compiled shape. An output size of 0 is the input's (a model of the same size); an
// upscaler's is its scale times the input's.
struct PixelBatch {
  int width = 0, height = 0;
  int out_width = 0, out_height = 0;
  std::vector<const uint8_t*> inputs;
  std::vector<uint8_t*> outputs;
};

class Executable {
 public:
  virtual ~Executable() = default;
  // `inputs` are float32 host tensors with exactly the shapes the graph was compiled
  // for; `outputs` receives float32 host tensors, one per graph output.
  virtual Status run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs,
                     RunTimings* timings) = 0;
  // Whether run_pixels works for this executable (one 4-D input, output 0 a 4-D image
  // with 1 or 3 channels); backends that convert on the host say no.
  virtual bool runs_pixels() const { return false; }
  // The compiled shape of output `i` (for a caller that checks before run_pixels).
  virtual Shape output_shape(size_t i) const { return {}; }
  virtual Status run_pixels(const PixelConversion& conversion, const PixelBatch& batch,
                            RunTimings* timings) {
    return unimplemented("this backend converts pixels on the host");
  }
  // Bytes of the planned activation arena (for reports and tests).
  virtual size_t arena_bytes() const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const DeviceDescription& device() const = 0;
  virtual bool supports(Precision precision) const = 0;
  // Capability query: "" when the backend can run `node` at `precision`, else why not.
  virtual std::string unsupported_reason(const graph::Graph& graph, const graph::Node& node,
                                         Precision precision) const = 0;
  virtual Result<std::unique_ptr<Executable>> compile(const graph::Graph& specialized,
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
std::vector<std::string> unsupported_nodes(const Backend& backend, const graph::Graph& graph,
                                           Precision precision);

}  // namespace toonbox::backend
