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

namespace toonbox {

struct RunReport {
  bool compiled = false;    // this run specialized and compiled a new shape
  double compile_ms = 0;    // specialization + backend compile
  RunTimings timings;       // upload / compute / download of this run
  size_t arena_bytes = 0;
};

class Session {
 public:
  Session(Graph graph, std::shared_ptr<Backend> backend, Precision precision);

  Result<std::vector<Tensor>> run(const std::vector<Tensor>& inputs, RunReport* report = nullptr);

  const Graph& graph() const { return graph_; }
  Backend& backend() { return *backend_; }
  Precision precision() const { return precision_; }

 private:
  Graph graph_;
  std::shared_ptr<Backend> backend_;
  Precision precision_;
  std::mutex mutex_;  // one run at a time per session; executables own scratch memory
  // Compiled executables by input shapes; a handful of shapes at most in practice.
  std::map<std::vector<Shape>, std::unique_ptr<Executable>> compiled_;
};

}  // namespace toonbox
