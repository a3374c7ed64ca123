#include "backend/cuda/cuda_executable.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "backend/cuda/conv_direct.h"
#include "backend/cuda/conv_steps.h"
#include "backend/cuda/counters.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels/cast.h"
#include "backend/cuda/kernels/pixels.h"
#include "backend/cuda/depthwise_div_fusion.h"
#include "backend/cuda/resize_add_fusion.h"
#include "backend/cuda/resize_step.h"
#include "backend/cuda/step_builders.h"
#include "backend/graph_precheck.h"
#include "compile/memory_planner.h"
#include "compile/nhwc_layout.h"

namespace toonbox::cuda {

namespace {

constexpr size_t kArenaAlignment = 256;  // cuDNN and vector loads want >= 16 bytes
constexpr size_t kCublasWorkspace = 16u << 20;

// TOONBOX_CUDA_GRAPHS=0 runs every step as its own launch (tests compare the two).
bool cuda_graphs_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_GRAPHS");
  return v == nullptr || std::string(v) != "0";
}

// TOONBOX_CUDA_FUSE_RESIZE_ADD=0 keeps a Resize and the Add after it as two steps (tests
// compare the two).
bool resize_add_fusion_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_FUSE_RESIZE_ADD");
  return v == nullptr || std::string(v) != "0";
}

// TOONBOX_CUDA_FUSE_DEPTHWISE_DIV=0 keeps a depthwise conv and the Div of its output as
// two steps (tests compare the two).
bool depthwise_div_fusion_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_FUSE_DEPTHWISE_DIV");
  return v == nullptr || std::string(v) != "0";
}

// TOONBOX_CUDA_LOG_STEPS=1: what the compile decided (the layout, every node's step), on stderr.
bool log_steps_enabled() {
  const char* v = std::getenv("TOONBOX_CUDA_LOG_STEPS");
  return v != nullptr && v[0] == '1';
}

size_t float_bytes(const Shape& s) { return static_cast<size_t>(shape_numel(s)) * sizeof(float); }

}  // namespace

CudaExecutable::~CudaExecutable() {
  // Steps and buffers are freed by their destructors; make sure nothing still runs.
  if (stream_) cudaStreamSynchronize(stream_.get());
}

Result<std::unique_ptr<backend::Executable>> CudaExecutable::compile(
    const backend::Backend& backend, int device, const graph::Graph& graph,
    const backend::CompileOptions& options) {
  std::unique_ptr<CudaExecutable> exe(new CudaExecutable());
  DeviceGuard guard;
  TB_RETURN_IF_ERROR(guard.set(device));
  // Tensor-core convs (fp16, TF32) are fastest channels last: an NCHW model (ncnn, ONNX)
  // runs its convs and the ops between them in NHWC (compile/nhwc_layout.h; TOONBOX_NHWC=0
  // keeps the graph's layout). Strict fp32 stays as it is: its FMA convs are no faster in
  // NHWC on this hardware (docs/cuda-backend.md).
  std::optional<graph::Graph> channels_last;
  if (options.precision == Precision::kFloat16 || options.precision == Precision::kTf32) {
    channels_last = graph;
    const compile::NhwcLayoutResult r = compile::convert_to_nhwc(*channels_last);
    if (log_steps_enabled() && r.convs > 0)
      std::fprintf(stderr, "cuda layout: %s: %d convs and %d other ops channels last, %d transposes (%.3g of %.3g elements)\n",
                   r.applied ? "NHWC" : "kept NCHW", r.convs, r.followers, r.transposes, r.transposed_elements,
                   r.conv_output_elements);
    if (!r.applied) channels_last.reset();
  }
  Status st = exe->build(backend, device, channels_last ? *channels_last : graph, options);
  if (!st.is_ok()) return st.with_context("compiling for cuda:" + std::to_string(device));
  return std::unique_ptr<backend::Executable>(std::move(exe));
}

Result<void*> CudaExecutable::value_ptr(const graph::Graph& g, int value) {
  const graph::Value& v = g.value(value);
  if (!v.constant) return static_cast<void*>(arena_.as<std::byte>() + offsets_[value]);
  for (auto& [id, buffer] : constants_)
    if (id == value) return buffer.get();
  // A constant read by an elementwise op: uploaded once in the storage type.
  TB_ASSIGN_OR_RETURN(Tensor f32, v.constant->cast(DType::kFloat32));
  const std::vector<std::byte> bytes = to_storage(f32.data<float>(), f32.numel(), precision_);
  TB_ASSIGN_OR_RETURN(DeviceBuffer buffer,
                      DeviceBuffer::allocate(bytes.size(), "constant '" + v.name + "'"));
  TB_RETURN_IF_ERROR(upload(stream_.get(), buffer.get(), bytes.data(), bytes.size()));
  constants_.emplace_back(value, std::move(buffer));
  return constants_.back().second.get();
}

Status CudaExecutable::build(const backend::Backend& backend, int device, const graph::Graph& g,
                             const backend::CompileOptions& options) {
  device_ = device;
  precision_ = options.precision;
  TB_RETURN_IF_ERROR(backend::check_compilable(backend, g, precision_, "the CUDA backend"));

  TB_ASSIGN_OR_RETURN(stream_, create_stream());
  TB_ASSIGN_OR_RETURN(cudnn_, create_cudnn(stream_.get()));
  TB_ASSIGN_OR_RETURN(cublas_, create_cublas(stream_.get()));
  TB_ASSIGN_OR_RETURN(cublas_workspace_, DeviceBuffer::allocate(kCublasWorkspace, "the cuBLAS workspace"));
  TB_CUBLAS_RETURN_IF_ERROR(cublasSetWorkspace(cublas_.get(), cublas_workspace_.get(), kCublasWorkspace));
  TB_ASSIGN_OR_RETURN(start_, create_event());
  TB_ASSIGN_OR_RETURN(uploaded_, create_event());
  TB_ASSIGN_OR_RETURN(computed_, create_event());
  TB_ASSIGN_OR_RETURN(done_, create_event());

  fused_with_.assign(g.nodes().size(), -1);
  if (resize_add_fusion_enabled()) fused_with_ = resize_add_pairs(g);
  depthwise_div_ = std::vector<int>(g.nodes().size(), -1);
  if (depthwise_div_fusion_enabled()) {
    std::vector<int> taken = fused_with_;  // nodes in a Resize + Add pair, either side
    for (size_t i = 0; i < fused_with_.size(); ++i)
      if (fused_with_[i] >= 0) taken[fused_with_[i]] = static_cast<int>(i);
    depthwise_div_ = depthwise_div_pairs(g, taken);
  }
  std::vector<void*> scratch;
  TB_RETURN_IF_ERROR(plan_arena(g, &scratch));
  TB_RETURN_IF_ERROR(build_steps(g, scratch));
  TB_RETURN_IF_ERROR(bind_inputs_outputs(g));
  TB_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream_.get()));
  return Status::ok();
}

Status CudaExecutable::plan_arena(const graph::Graph& g, std::vector<void*>* scratch) {
  // One arena for every activation, plus each asymmetric-padding conv's scratch, which
  // lives only during its own step.
  const size_t elem = storage_size(precision_);
  std::vector<compile::BufferRequest> requests = compile::activation_requests(
      g,
      [elem](const graph::Value& v) { return static_cast<size_t>(shape_numel(v.shape)) * elem; });
  fused_pair_lifetimes(g, fused_with_, &requests);
  depthwise_div_lifetimes(g, depthwise_div_, &requests);
  const size_t value_count = requests.size();
  std::vector<int> scratch_request(g.nodes().size(), -1);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const graph::Node& node = g.nodes()[i];
    if (node.kind != graph::OpKind::kConv2D) continue;
    const size_t bytes = conv2d_scratch_bytes(g, node, precision_);
    if (bytes == 0) continue;
    scratch_request[i] = static_cast<int>(requests.size());
    requests.push_back(compile::BufferRequest{bytes, static_cast<int>(i), static_cast<int>(i)});
  }
  const compile::MemoryPlan plan = compile::plan_memory(requests, kArenaAlignment);
  TB_ASSIGN_OR_RETURN(arena_, DeviceBuffer::allocate(
                                  plan.arena_bytes, "the activation arena (" + std::to_string(value_count) +
                                                        " values, " + precision_name(precision_) + ")"));
  offsets_.assign(plan.offsets.begin(), plan.offsets.begin() + value_count);
  scratch->assign(g.nodes().size(), nullptr);
  for (size_t i = 0; i < g.nodes().size(); ++i)
    if (scratch_request[i] >= 0)
      (*scratch)[i] = arena_.as<std::byte>() + plan.offsets[scratch_request[i]];
  return Status::ok();
}

Status CudaExecutable::build_steps(const graph::Graph& g, const std::vector<void*>& scratch) {
  BuildContext ctx;
  ctx.device = device_;
  ctx.precision = precision_;
  ctx.graph = &g;
  ctx.step = StepContext{stream_.get(), cudnn_.get(), cublas_.get(), &workspace_};
  ctx.value_ptr = [this, &g](int value) { return value_ptr(g, value); };
  // Per node: the earlier node whose step does its work (the Add of a Resize + Add, the
  // Div of a depthwise conv), else -1.
  std::vector<int> done_by(g.nodes().size(), -1);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    if (fused_with_[i] >= 0) done_by[fused_with_[i]] = static_cast<int>(i);
    if (depthwise_div_[i] >= 0) done_by[depthwise_div_[i]] = static_cast<int>(i);
  }
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const graph::Node& node = g.nodes()[i];
    std::unique_ptr<Step> step;
    if (fused_with_[i] >= 0) {
      TB_ASSIGN_OR_RETURN(step, make_resize_add(ctx, node, g.nodes()[fused_with_[i]]));
    } else if (depthwise_div_[i] >= 0) {
      TB_ASSIGN_OR_RETURN(step, make_depthwise_div(ctx, node, g.nodes()[depthwise_div_[i]]));
      step->count_as_chosen();
    } else if (done_by[i] >= 0) {
      // Done by an earlier step; the step list keeps one entry per node.
      const int by = done_by[i];
      step = kernel_step("node '" + node.name + "' (fused into the step " +
                             (by + 1 == static_cast<int>(i) ? std::string("before it")
                                                            : "of node '" + g.nodes()[by].name + "'") +
                             ")",
                         [](cudaStream_t) { return cudaSuccess; });
    } else {
      TB_ASSIGN_OR_RETURN(step, make_step(ctx, node, scratch[i]));
    }
    steps_.push_back(std::move(step));
  }
  // What every node compiled to (cuDNN engine, fusion).
  if (log_steps_enabled()) {
    for (const auto& step : steps_) std::fprintf(stderr, "cuda step: %s\n", step->description().c_str());
  }
  // The searches may have grown the workspace; keep what the chosen algorithms need.
  size_t workspace = 0;
  for (const auto& step : steps_) workspace = std::max(workspace, step->workspace_bytes());
  if (workspace != workspace_.size()) TB_RETURN_IF_ERROR(workspace_.resize(workspace));
  if (step_profiling_enabled()) {
    TB_ASSIGN_OR_RETURN(profiler_, StepProfiler::create(&steps_));
  }
  return Status::ok();
}

Status CudaExecutable::bind_inputs_outputs(const graph::Graph& g) {
  size_t in_bytes = 0, out_bytes = 0;
  for (int in : g.inputs()) {
    Binding b;
    b.name = g.value(in).name;
    b.shape = g.value(in).shape;
    TB_ASSIGN_OR_RETURN(b.device, value_ptr(g, in));
    b.host_offset = in_bytes;
    in_bytes += (float_bytes(b.shape) + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    inputs_.push_back(std::move(b));
  }
  for (int out : g.outputs()) {
    Binding b;
    b.name = g.value(out).name;
    b.shape = g.value(out).shape;
    if (g.value(out).constant) {
      TB_ASSIGN_OR_RETURN(Tensor t, g.value(out).constant->cast(DType::kFloat32));
      b.constant = std::move(t);
    } else {
      TB_ASSIGN_OR_RETURN(b.device, value_ptr(g, out));
      b.host_offset = out_bytes;
      out_bytes += (float_bytes(b.shape) + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    }
    outputs_.push_back(std::move(b));
  }
  if (is_half(precision_)) {
    TB_ASSIGN_OR_RETURN(staging_, DeviceBuffer::allocate(std::max(in_bytes, out_bytes), "fp32 input/output staging"));
  }
  TB_ASSIGN_OR_RETURN(host_in_, PinnedBuffer::allocate(in_bytes, "inputs"));
  TB_ASSIGN_OR_RETURN(host_out_, PinnedBuffer::allocate(out_bytes, "outputs"));
  return Status::ok();
}

Status CudaExecutable::enqueue(const std::vector<Tensor>& inputs) {
  cudaStream_t stream = stream_.get();
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(start_.get(), stream));
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Binding& b = inputs_[i];
    const size_t bytes = float_bytes(b.shape);
    std::byte* host = host_in_.get() + b.host_offset;
    if (bytes == 0) continue;
    std::memcpy(host, inputs[i].raw(), bytes);
    if (is_half(precision_)) {
      float* staged = reinterpret_cast<float*>(staging_.as<std::byte>() + b.host_offset);
      TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(staged, host, bytes, cudaMemcpyHostToDevice, stream));
      TB_CUDA_RETURN_IF_ERROR(
          launch_cast_f32_to_f16(staged, static_cast<__half*>(b.device), shape_numel(b.shape), stream));
    } else {
      TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(b.device, host, bytes, cudaMemcpyHostToDevice, stream));
    }
  }
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(uploaded_.get(), stream));
  TB_RETURN_IF_ERROR(enqueue_steps());
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(computed_.get(), stream));
  return enqueue_download();
}

Status CudaExecutable::enqueue_steps() {
  cudaStream_t stream = stream_.get();
  if (graph_) {
    TB_CUDA_RETURN_IF_ERROR(cudaGraphLaunch(graph_.get(), stream));
    counters().graph_launches.fetch_add(1);
    return Status::ok();
  }
  const StepContext ctx{stream, cudnn_.get(), cublas_.get(), &workspace_};
  if (profiler_) return profiler_->run(ctx);
  // Not the first run: cuDNN and cuBLAS load kernels and build their run-time state on a
  // first call, which a capture must not record.
  if (uncaptured_runs_++ >= 1 && !capture_failed_ && cuda_graphs_enabled()) {
    const Status st = capture(ctx);
    if (st.is_ok()) {
      TB_CUDA_RETURN_IF_ERROR(cudaGraphLaunch(graph_.get(), stream));
      counters().graph_launches.fetch_add(1);
      return Status::ok();
    }
    // Something in the step list cannot be captured: run step by step from now on.
    capture_failed_ = true;
    (void)cudaGetLastError();
  }
  for (const auto& step : steps_) TB_RETURN_IF_ERROR(step->run(ctx).with_context(step->description()));
  return Status::ok();
}

// Every step's pointers are fixed at compile time and no step synchronizes or allocates
// while it runs (step.h), so the list is recorded once and replayed: one launch instead
// of one per kernel, with no host work between kernels.
Status CudaExecutable::capture(const StepContext& ctx) {
  TB_CUDA_RETURN_IF_ERROR(cudaStreamBeginCapture(ctx.stream, cudaStreamCaptureModeThreadLocal));
  Status st = Status::ok();
  for (const auto& step : steps_) {
    st = step->run(ctx).with_context(step->description());
    if (!st.is_ok()) break;
  }
  cudaGraph_t graph = nullptr;
  const cudaError_t end = cudaStreamEndCapture(ctx.stream, &graph);
  if (st.is_ok() && end != cudaSuccess) st = cuda_status(end, "cudaStreamEndCapture", __FILE__, __LINE__);
  if (!st.is_ok()) {
    if (graph) cudaGraphDestroy(graph);
    return st;
  }
  cudaGraphExec_t exec = nullptr;
  const cudaError_t inst = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  TB_CUDA_RETURN_IF_ERROR(inst);
  graph_.reset(exec);
  counters().graph_captures.fetch_add(1);
  return Status::ok();
}

Status CudaExecutable::enqueue_download() {
  cudaStream_t stream = stream_.get();
  for (const Binding& b : outputs_) {
    if (b.constant) continue;
    const size_t bytes = float_bytes(b.shape);
    if (bytes == 0) continue;
    std::byte* host = host_out_.get() + b.host_offset;
    if (is_half(precision_)) {
      float* staged = reinterpret_cast<float*>(staging_.as<std::byte>() + b.host_offset);
      TB_CUDA_RETURN_IF_ERROR(
          launch_cast_f16_to_f32(static_cast<const __half*>(b.device), staged, shape_numel(b.shape), stream));
      TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(host, staged, bytes, cudaMemcpyDeviceToHost, stream));
    } else {
      TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(host, b.device, bytes, cudaMemcpyDeviceToHost, stream));
    }
  }
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(done_.get(), stream));
  return Status::ok();
}

Status CudaExecutable::run(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs,
                           backend::RunTimings* timings) {
  if (inputs.size() != inputs_.size()) {
    return invalid_argument("expected " + std::to_string(inputs_.size()) + " inputs, got " +
                            std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != DType::kFloat32 || inputs[i].shape() != inputs_[i].shape) {
      return invalid_argument("input '" + inputs_[i].name + "': got " + dtype_name(inputs[i].dtype()) + " " +
                              shape_to_string(inputs[i].shape()) + ", compiled for float32 " +
                              shape_to_string(inputs_[i].shape));
    }
  }
  std::lock_guard<std::mutex> lock(run_mutex_);
  DeviceGuard guard;
  TB_RETURN_IF_ERROR(guard.set(device_));
  Status st = enqueue(inputs);
  if (st.is_ok()) st = wait_for_run();
  if (!st.is_ok()) return st;

  outputs->clear();
  for (const Binding& b : outputs_) {
    if (b.constant) {
      outputs->push_back(b.constant->clone());
      continue;
    }
    TB_ASSIGN_OR_RETURN(Tensor t, Tensor::create(DType::kFloat32, b.shape));
    if (t.nbytes() > 0) std::memcpy(t.raw(), host_out_.get() + b.host_offset, t.nbytes());
    outputs->push_back(std::move(t));
  }
  return timings ? read_timings(timings) : Status::ok();
}

// The one wait of a run; kernel faults surface here.
Status CudaExecutable::wait_for_run() {
  Status st = Status::ok();
  const cudaError_t err = cudaEventSynchronize(done_.get());
  if (err != cudaSuccess) st = cuda_status(err, "cudaEventSynchronize(end of run)", __FILE__, __LINE__);
  if (st.is_ok()) return st;
  cudaStreamSynchronize(stream_.get());  // leave nothing in flight that uses our buffers
  (void)cudaGetLastError();
  return st.with_context("running on cuda:" + std::to_string(device_));
}

Status CudaExecutable::read_timings(backend::RunTimings* timings) {
  float upload = 0, compute = 0, download = 0;
  TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&upload, start_.get(), uploaded_.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&compute, uploaded_.get(), computed_.get()));
  TB_CUDA_RETURN_IF_ERROR(cudaEventElapsedTime(&download, computed_.get(), done_.get()));
  timings->upload_ms = upload;
  timings->compute_ms = compute;
  timings->download_ms = download;
  return Status::ok();
}

bool CudaExecutable::runs_pixels() const {
  return inputs_.size() == 1 && inputs_[0].shape.size() == 4 && !outputs_.empty() &&
         !outputs_[0].constant && outputs_[0].shape.size() == 4;
}

namespace {
// The tensor a PixelConversion writes (in_lo, in_scale) or reads (out_lo, out_scale), by
// its compiled shape.
PixelTensorGeometry pixel_geometry(const Shape& s, const backend::PixelConversion& c, bool half,
                                   float lo, float scale) {
  PixelTensorGeometry g;
  g.lo = lo;
  g.scale = scale;
  g.half = half;
  g.nhwc = c.nhwc;
  g.n = static_cast<int>(s[0]);
  g.channels = static_cast<int>(c.nhwc ? s[3] : s[1]);
  g.height = static_cast<int>(c.nhwc ? s[1] : s[2]);
  g.width = static_cast<int>(c.nhwc ? s[2] : s[3]);
  g.bgr = c.bgr;
  g.margin = c.margin;
  return g;
}
}  // namespace

Status CudaExecutable::run_pixels(const backend::PixelConversion& conversion,
                                  const backend::PixelBatch& batch, backend::RunTimings* timings) {
  if (!runs_pixels()) return unimplemented("this executable is not a one-input image model");
  const PixelTensorGeometry in =
      pixel_geometry(inputs_[0].shape, conversion, is_half(precision_), conversion.in_lo, conversion.in_scale);
  const PixelTensorGeometry out =
      pixel_geometry(outputs_[0].shape, conversion, is_half(precision_), conversion.out_lo, conversion.out_scale);
  const std::string shape = shape_to_string(inputs_[0].shape);
  if (in.channels != 3)
    return invalid_argument("pixels need a 3-channel input, the model's is " + shape);
  const int out_w = batch.out_width > 0 ? batch.out_width : batch.width;
  const int out_h = batch.out_height > 0 ? batch.out_height : batch.height;
  if (out.n != in.n || (out.channels != 1 && out.channels != 3))
    return invalid_argument("the model's output " + shape_to_string(outputs_[0].shape) + " is not an image batch like its input " +
                            shape);
  if (static_cast<int>(batch.inputs.size()) != in.n || static_cast<int>(batch.outputs.size()) != in.n)
    return invalid_argument("compiled for " + std::to_string(in.n) + " images, got " +
                            std::to_string(batch.inputs.size()));
  if (batch.width <= 0 || batch.height <= 0 || batch.width + 2 * conversion.margin > in.width ||
      batch.height + 2 * conversion.margin > in.height)
    return invalid_argument(std::to_string(batch.width) + "x" + std::to_string(batch.height) + " pixels with margin " +
                            std::to_string(conversion.margin) + " do not fit the compiled " + shape);
  if (out_w + conversion.margin > out.width || out_h + conversion.margin > out.height)
    return invalid_argument("a " + std::to_string(out_w) + "x" + std::to_string(out_h) + " output at margin " +
                            std::to_string(conversion.margin) + " does not fit the model's output " +
                            shape_to_string(outputs_[0].shape));
  const size_t bytes = static_cast<size_t>(in.n) * 3 *
                       std::max<size_t>(static_cast<size_t>(in.height) * in.width,
                                        static_cast<size_t>(out_h) * out_w);
  std::lock_guard<std::mutex> lock(run_mutex_);
  DeviceGuard guard;
  TB_RETURN_IF_ERROR(guard.set(device_));
  if (host_pixels_.size() < bytes) {
    host_pixels_ = PinnedBuffer{};
    device_pixels_ = DeviceBuffer{};
    TB_ASSIGN_OR_RETURN(host_pixels_, PinnedBuffer::allocate(bytes, "8-bit pixels"));
    TB_ASSIGN_OR_RETURN(device_pixels_, DeviceBuffer::allocate(bytes, "8-bit pixels"));
  }
  Status st = enqueue_pixels(in, out, batch, out_w, out_h);
  if (st.is_ok()) st = wait_for_run();
  if (!st.is_ok()) return st;
  const size_t out_bytes = static_cast<size_t>(out_w) * out_h * 3;
  for (int i = 0; i < in.n; ++i) std::memcpy(batch.outputs[i], host_pixels_.get() + i * out_bytes, out_bytes);
  return timings ? read_timings(timings) : Status::ok();
}

// As enqueue() and enqueue_download(), with 8-bit pixels crossing PCIe and the
// conversion kernels writing the input binding and reading output 0 in the storage type.
Status CudaExecutable::enqueue_pixels(const PixelTensorGeometry& in, const PixelTensorGeometry& out,
                                      const backend::PixelBatch& batch, int out_w, int out_h) {
  cudaStream_t stream = stream_.get();
  const size_t image_bytes = static_cast<size_t>(batch.width) * batch.height * 3;
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(start_.get(), stream));
  for (int i = 0; i < in.n; ++i) std::memcpy(host_pixels_.get() + i * image_bytes, batch.inputs[i], image_bytes);
  TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(device_pixels_.get(), host_pixels_.get(), image_bytes * in.n,
                                          cudaMemcpyHostToDevice, stream));
  TB_CUDA_RETURN_IF_ERROR(launch_pixels_to_tensor(device_pixels_.as<uint8_t>(), batch.height, batch.width, in,
                                                  inputs_[0].device, stream));
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(uploaded_.get(), stream));
  TB_RETURN_IF_ERROR(enqueue_steps());
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(computed_.get(), stream));
  TB_CUDA_RETURN_IF_ERROR(
      launch_tensor_to_pixels(outputs_[0].device, out, out_h, out_w, device_pixels_.as<uint8_t>(), stream));
  TB_CUDA_RETURN_IF_ERROR(cudaMemcpyAsync(host_pixels_.get(), device_pixels_.get(),
                                          static_cast<size_t>(out_w) * out_h * 3 * in.n, cudaMemcpyDeviceToHost,
                                          stream));
  TB_CUDA_RETURN_IF_ERROR(cudaEventRecord(done_.get(), stream));
  return Status::ok();
}

}  // namespace toonbox::cuda
