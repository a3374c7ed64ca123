#include "server/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "doctor/build_info.h"
#include "server/metrics.h"

namespace toonbox::server {
namespace {

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The boot time (/proc/stat's btime), which process start times are counted from.
double boot_time_seconds() {
  std::istringstream in(read_small_file("/proc/stat"));
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double btime = -1;
      in >> btime;
      return btime;
    }
    in.ignore(1 << 20, '\n');
  }
  return -1;
}

double count_open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void family(const char* name, const char* type, const char* help, double value, std::string* out) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  if (value < 0) {
    *out += std::string("# ") + name + ": not readable from /proc/self here\n";
    return;
  }
  *out += std::string(name) + " " + number(value) + "\n";
}

}  // namespace

ProcessStats read_process_stats() {
  ProcessStats s;
  const long ticks = sysconf(_SC_CLK_TCK);
  const long page = sysconf(_SC_PAGESIZE);
  // /proc/self/stat: "pid (comm) state ppid ...". comm may hold spaces and parentheses,
  // so the fields are counted from the last ')'.
  const std::string stat = read_small_file("/proc/self/stat");
  const size_t close = stat.rfind(')');
  if (close != std::string::npos && ticks > 0 && page > 0) {
    std::istringstream in(stat.substr(close + 1));
    std::vector<std::string> fields;  // fields[0] is field 3 of proc(5), the state
    for (std::string f; in >> f;) fields.push_back(f);
    if (fields.size() > 21) {
      const double utime = std::stod(fields[11]), stime = std::stod(fields[12]);
      s.cpu_seconds = (utime + stime) / static_cast<double>(ticks);
      const double boot = boot_time_seconds();
      if (boot > 0)
        s.start_time_seconds = boot + std::stod(fields[19]) / static_cast<double>(ticks);
      s.virtual_bytes = std::stod(fields[20]);
      s.resident_bytes = std::stod(fields[21]) * static_cast<double>(page);
    }
  }
  s.open_fds = count_open_fds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    s.max_fds = limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(limit.rlim_cur);
  }
  return s;
}

void render_process_metrics(const ProcessStats& s, std::string* out) {
  family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
         s.cpu_seconds, out);
  family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
         s.resident_bytes, out);
  family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", s.virtual_bytes,
         out);
  family("process_open_fds", "gauge", "Number of open file descriptors.", s.open_fds, out);
  family("process_max_fds", "gauge", "Maximum number of open file descriptors.", s.max_fds, out);
  family("process_start_time_seconds", "gauge",
         "Start time of the process since unix epoch in seconds.", s.start_time_seconds, out);
}

void render_build_info(std::string* out) {
  const doctor::BuildInfo build = doctor::BuildInfo::of_this_binary();
  std::string cuda = "none", cudnn = "none", archs = "none";
  if (build.cuda_backend) {
    const int v = build.cuda_runtime_version;
    cuda = std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
    cudnn = doctor::format_cudnn_version(build.cudnn_version);
    archs = build.cuda_archs;
  }
  *out +=
      "# HELP toonbox_build_info The build of this toonbox binary, as `toonbox --version` prints "
      "it "
      "(value is always 1).\n# TYPE toonbox_build_info gauge\n";
  *out += "toonbox_build_info{version=\"" + escape_label(TOONBOX_VERSION) + "\",cuda=\"" +
          escape_label(cuda) + "\",cudnn=\"" + escape_label(cudnn) + "\",archs=\"" +
          escape_label(archs) + "\",onednn=\"" + escape_label(cpu::onednn_version()) + "\"} 1\n";
}

}  // namespace toonbox::server
