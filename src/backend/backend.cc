#include "backend/backend.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace toonbox::backend {

Result<size_t> host_available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    unsigned long long kib = 0;
    if (std::sscanf(line.c_str(), "MemAvailable: %llu kB", &kib) == 1) return kib * size_t{1024};
  }
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) return static_cast<size_t>(pages) * static_cast<size_t>(page);
  return unavailable("available host memory unknown: no MemAvailable in /proc/meminfo");
}

std::vector<std::string> unsupported_nodes(const Backend& backend, const graph::Graph& graph,
                                           Precision precision) {
  std::vector<std::string> problems;
  for (const graph::Node& node : graph.nodes()) {
    std::string why = backend.unsupported_reason(graph, node, precision);
    if (!why.empty()) {
      problems.push_back("node '" + node.name + "' (" + graph::op_kind_name(node.kind) +
                         "): " + why);
    }
  }
  return problems;
}

}  // namespace toonbox::backend
