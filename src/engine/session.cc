#include "engine/session.h"

#include <chrono>

#include "graph/passes.h"

namespace toonbox {

namespace {
// Executables hold arenas sized for their shape; keep only a few shapes alive.
constexpr size_t kMaxCompiledShapes = 4;
}  // namespace

Session::Session(Graph graph, std::shared_ptr<Backend> backend, Precision precision)
    : graph_(std::move(graph)), backend_(std::move(backend)), precision_(precision) {}

Result<std::vector<Tensor>> Session::run(const std::vector<Tensor>& inputs, RunReport* report) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  RunReport local;
  auto it = compiled_.find(shapes);
  if (it == compiled_.end()) {
    const auto t0 = std::chrono::steady_clock::now();
    TB_ASSIGN_OR_RETURN(Graph specialized, specialize(graph_, shapes));
    fuse_conv_activation(specialized);
    TB_ASSIGN_OR_RETURN(std::unique_ptr<Executable> exe,
                        backend_->compile(specialized, CompileOptions{precision_}));
    if (compiled_.size() >= kMaxCompiledShapes) compiled_.clear();
    it = compiled_.emplace(shapes, std::move(exe)).first;
    local.compiled = true;
    local.compile_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  std::vector<Tensor> outputs;
  Status s = it->second->run(inputs, &outputs, &local.timings);
  if (!s.is_ok()) {
    // A failed executable (e.g. device out of memory mid-run) is not reused.
    compiled_.erase(it);
    return s;
  }
  local.arena_bytes = it->second->arena_bytes();
  if (report) *report = local;
  return outputs;
}

}  // namespace toonbox
