#include "compile/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace toonbox::compile {

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  std::vector<size_t> placed;
  for (size_t r : order) {
    const BufferRequest& req = requests[r];
    if (req.bytes == 0) continue;
    const size_t size = (req.bytes + alignment - 1) / alignment * alignment;
    // Intervals already taken by buffers alive at the same time, sorted by offset.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t q : placed) {
      const BufferRequest& other = requests[q];
      if (other.last_step < req.first_step || req.last_step < other.first_step) continue;
      busy.emplace_back(plan.offsets[q],
                        plan.offsets[q] + (other.bytes + alignment - 1) / alignment * alignment);
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + size <= begin) break;
      offset = std::max(offset, end);
    }
    plan.offsets[r] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    placed.push_back(r);
  }
  return plan;
}

std::vector<BufferRequest> activation_requests(
    const graph::Graph& g, const std::function<size_t(const graph::Value&)>& bytes_of) {
  const int steps = static_cast<int>(g.nodes().size());
  std::vector<BufferRequest> req(g.values().size());
  for (size_t v = 0; v < g.values().size(); ++v) {
    const graph::Value& value = g.values()[v];
    if (value.constant) continue;
    req[v].bytes = bytes_of(value);
    req[v].first_step = value.producer;  // -1 for graph inputs
    req[v].last_step = value.producer;
  }
  for (int i = 0; i < steps; ++i)
    for (int in : g.nodes()[i].inputs) req[in].last_step = std::max(req[in].last_step, i);
  for (int out : g.outputs()) req[out].last_step = steps;
  for (int in : g.inputs()) req[in].first_step = -1;
  return req;
}

}  // namespace toonbox::compile
