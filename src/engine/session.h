// A Session owns a model graph and a backend and runs the model on inputs of any
// shape: the first run at a new shape specializes, fuses and compiles (cuDNN algorithm
// search happens there), later runs at that shape reuse the compiled executable.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "backend/backend.h"
#include "graph/graph.h"

namespace toonbox::engine {

struct RunReport {
  bool compiled = false;    // this run specialized and compiled a new shape
  double compile_ms = 0;    // specialization + backend compile
  backend::RunTimings timings;  // upload / compute / download of this run
  size_t arena_bytes = 0;
};

struct SessionOptions {
  // Inputs declared with batch 1 may be run with N > 1 (see SpecializeOptions); a model
  // that would mix batch items fails to compile at that shape instead.
  bool allow_batch = false;
};

class Session {
 public:
  Session(graph::Graph graph, std::shared_ptr<backend::Backend> backend, Precision precision,
          SessionOptions options = {});

  Result<std::vector<Tensor>> run(const std::vector<Tensor>& inputs, RunReport* report = nullptr);

  // 8-bit pixels in and out (backend.h's PixelConversion) for a one-input image model
  // compiled at `shape`; kUnimplemented when the backend converts on the host (the
  // caller then uses run()). The pixels' conversion happens on the device.
  Status run_pixels(const Shape& shape, const backend::PixelConversion& conversion,
                    const backend::PixelBatch& batch, RunReport* report = nullptr);
  // Whether the backend does run_pixels at `shape` (compiles it when needed: `report`
  // then says so, as run() would have), and then the shape of output 0.
  Result<bool> runs_pixels(const Shape& shape, Shape* output_shape = nullptr, RunReport* report = nullptr);

  // Compiles (or finds) the executable for these input shapes without running it, so a
  // caller can learn whether a shape is possible (batching) and what it costs
  // (report->arena_bytes, for tile sizes) before committing to it.
  Status prepare(const std::vector<Shape>& shapes, RunReport* report = nullptr);

  // An upper bound of what the executable for these shapes needs as working memory, from
  // the graph alone (no compile): every intermediate value live at once, 4 bytes or more an
  // element. Compiling is what measures the real arena (prepare()); this says cheaply
  // when that measurement cannot matter.
  Result<size_t> unshared_activation_bytes(const std::vector<Shape>& shapes) const;

  // Frees every compiled executable (their arenas): after an out-of-memory error the
  // retry at a smaller shape should not compete with the big shapes' memory.
  void release();

  const graph::Graph& graph() const { return graph_; }
  backend::Backend& backend() { return *backend_; }
  const backend::Backend& backend() const { return *backend_; }
  Precision precision() const { return precision_; }

 private:
  graph::Graph graph_;
  std::shared_ptr<backend::Backend> backend_;
  Precision precision_;
  SessionOptions options_;
  std::mutex mutex_;  // one run at a time per session; executables own scratch memory
  // Compiled executables by input shapes, least recently used evicted first (see
  // session.cc for the bounds). A folder of photos cycles through dozens of sizes: each
  // recompile costs an algorithm search, so shapes are kept while memory allows.
  struct Entry {
    std::unique_ptr<backend::Executable> exe;
    uint64_t last_used = 0;
  };
  std::map<std::vector<Shape>, Entry> compiled_;
  uint64_t clock_ = 0;

  using Compiled = std::map<std::vector<Shape>, Entry>::iterator;
  Result<Compiled> find_or_compile(const std::vector<Shape>& shapes, RunReport* report);
  void evict_for(Compiled keep);
};

}  // namespace toonbox::engine
