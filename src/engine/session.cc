#include "engine/session.h"

#include <algorithm>
#include <chrono>

#include "compile/fusion.h"
#include "compile/conv_transpose_lowering.h"
#include "compile/modulated_conv.h"
#include "compile/specialize.h"
#include "core/startup_trace.h"
#include "core/timing.h"

namespace toonbox::engine {

namespace {
// Executables hold arenas sized for their shape. Kept: at most this many shapes, and
// arenas totalling at most a quarter of the device's memory (1 GiB when unknown), so a
// cache of shapes never crowds out the next image's own arena.
constexpr size_t kMaxCompiledShapes = 32;
size_t arena_budget(const backend::Backend& backend) {
  const size_t total = backend.device().memory_total;
  return total > 0 ? total / 4 : size_t{1} << 30;
}
}  // namespace

Session::Session(graph::Graph graph, std::shared_ptr<backend::Backend> backend, Precision precision,
                 SessionOptions options)
    : graph_(std::move(graph)),
      backend_(std::move(backend)),
      precision_(precision),
      options_(options) {}

Result<Session::Compiled> Session::find_or_compile(const std::vector<Shape>& shapes,
                                                   RunReport* report) {
  auto it = compiled_.find(shapes);
  if (it != compiled_.end()) {
    it->second.last_used = ++clock_;
    return it;
  }
  startup_mark("compile starts");
  const auto t0 = std::chrono::steady_clock::now();
  compile::SpecializeOptions so;
  so.allow_batch = options_.allow_batch;
  TB_ASSIGN_OR_RETURN(graph::Graph specialized, compile::specialize(graph_, shapes, so));
  compile::rewrite_modulated_convs(specialized);
  compile::lower_conv_transposes(specialized);
  compile::fuse_conv_activation(specialized);
  compile::fold_dft_scales(specialized);
  startup_mark("graph specialized, backend compile starts");
  TB_ASSIGN_OR_RETURN(std::unique_ptr<backend::Executable> exe,
                      backend_->compile(specialized, backend::CompileOptions{precision_}));
  startup_mark("compiled");
  it = compiled_.emplace(shapes, Entry{std::move(exe), ++clock_}).first;
  evict_for(it);
  report->compiled = true;
  report->compile_ms = ms_since(t0);
  return it;
}

Result<size_t> Session::unshared_activation_bytes(const std::vector<Shape>& shapes) const {
  compile::SpecializeOptions so;
  so.allow_batch = options_.allow_batch;
  TB_ASSIGN_OR_RETURN(graph::Graph specialized, compile::specialize(graph_, shapes, so));
  size_t bytes = 0;
  for (const graph::Value& v : specialized.values()) {
    if (v.constant) continue;
    bytes += static_cast<size_t>(shape_numel(v.shape)) * std::max<size_t>(4, dtype_size(v.dtype));
  }
  return bytes;
}

void Session::evict_for(Compiled keep) {
  for (;;) {
    size_t bytes = 0;
    Compiled oldest = compiled_.end();
    for (auto it = compiled_.begin(); it != compiled_.end(); ++it) {
      bytes += it->second.exe->arena_bytes();
      if (it != keep && (oldest == compiled_.end() || it->second.last_used < oldest->second.last_used))
        oldest = it;
    }
    if (oldest == compiled_.end()) return;
    if (compiled_.size() <= kMaxCompiledShapes && bytes <= arena_budget(*backend_)) return;
    compiled_.erase(oldest);
  }
}

Status Session::prepare(const std::vector<Shape>& shapes, RunReport* report) {
  std::lock_guard<std::mutex> lock(mutex_);
  RunReport local;
  TB_ASSIGN_OR_RETURN(Compiled it, find_or_compile(shapes, &local));
  local.arena_bytes = it->second.exe->arena_bytes();
  if (report) *report = local;
  return Status::ok();
}

void Session::release() {
  std::lock_guard<std::mutex> lock(mutex_);
  compiled_.clear();
}

Result<std::vector<Tensor>> Session::run(const std::vector<Tensor>& inputs, RunReport* report) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  RunReport local;
  TB_ASSIGN_OR_RETURN(Compiled it, find_or_compile(shapes, &local));
  std::vector<Tensor> outputs;
  Status s = it->second.exe->run(inputs, &outputs, &local.timings);
  if (!s.is_ok()) {
    // A failed executable (e.g. device out of memory mid-run) is not reused.
    compiled_.erase(it);
    return s;
  }
  local.arena_bytes = it->second.exe->arena_bytes();
  if (report) *report = local;
  return outputs;
}

Result<bool> Session::runs_pixels(const Shape& shape, Shape* output_shape, RunReport* report) {
  std::lock_guard<std::mutex> lock(mutex_);
  RunReport local;
  TB_ASSIGN_OR_RETURN(Compiled it, find_or_compile({shape}, &local));
  local.arena_bytes = it->second.exe->arena_bytes();
  if (report) *report = local;
  if (!it->second.exe->runs_pixels()) return false;
  if (output_shape) *output_shape = it->second.exe->output_shape(0);
  return true;
}

Status Session::run_pixels(const Shape& shape, const backend::PixelConversion& conversion,
                           const backend::PixelBatch& batch, RunReport* report) {
  std::lock_guard<std::mutex> lock(mutex_);
  RunReport local;
  TB_ASSIGN_OR_RETURN(Compiled it, find_or_compile({shape}, &local));
  if (!it->second.exe->runs_pixels()) return unimplemented("this backend converts pixels on the host");
  Status s = it->second.exe->run_pixels(conversion, batch, &local.timings);
  startup_mark("device run done (pixels in, pixels out)");
  if (!s.is_ok()) {
    if (s.code() != StatusCode::kInvalidArgument) compiled_.erase(it);  // as run(): not reused
    return s;
  }
  local.arena_bytes = it->second.exe->arena_bytes();
  if (report) *report = local;
  return Status::ok();
}

}  // namespace toonbox::engine
