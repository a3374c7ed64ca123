#include "bench/host_memory.h"

#include <fstream>
#include <string>

namespace toonbox::bench {

bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

size_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0)
      return static_cast<size_t>(std::stoull(line.substr(6))) * 1024;  // "kB"
  }
  return 0;
}

}  // namespace toonbox::bench
