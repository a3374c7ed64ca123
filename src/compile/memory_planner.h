// Static memory planning: every activation of a specialized graph gets an offset in one
// arena, reserved once for the shape (ggml_gallocr-style). Two buffers share bytes only
// when their lifetimes do not overlap.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "graph/graph.h"

namespace toonbox::compile {

struct BufferRequest {
  size_t bytes = 0;
  int first_step = 0;  // step that writes it (-1: before the first node, e.g. inputs)
  int last_step = 0;   // last step that reads it (node count: read after the last node)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // one per request
  size_t arena_bytes = 0;
};

// Greedy by size (largest first, lowest fitting offset), as TFLite's arena planner.
MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, size_t alignment = 256);

// Lifetimes of the non-constant values of `graph`, in graph.values() order; constants
// get a zero-byte request. `bytes_of` says how big each value is on the backend.
std::vector<BufferRequest> activation_requests(
    const graph::Graph& graph, const std::function<size_t(const graph::Value&)>& bytes_of);

}  // namespace toonbox::compile
