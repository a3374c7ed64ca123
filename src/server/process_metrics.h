// The standard Prometheus process metrics (process_cpu_seconds_total and friends, the
// names client libraries export) and toonbox_build_info, rendered at scrape time. Read
// from /proc/self on each scrape: a few small files, no state kept between scrapes.
#pragma once

#include <string>

namespace toonbox::server {

// What /proc/self says about this process; -1 where a value could not be read.
struct ProcessStats {
  double cpu_seconds = -1;  // user + system
  double resident_bytes = -1;
  double virtual_bytes = -1;
  double open_fds = -1;
  double max_fds = -1;             // the soft RLIMIT_NOFILE
  double start_time_seconds = -1;  // since the Unix epoch
};

ProcessStats read_process_stats();

// Appends the process_* families (HELP, TYPE, one sample each; a family whose value
// could not be read is left out with a comment saying so).
void render_process_metrics(const ProcessStats& stats, std::string* out);

// Appends `toonbox_build_info{version,cuda,cudnn,archs,onednn} 1`: the facts
// `toonbox --version` prints ("none" where the CUDA backend was not built).
void render_build_info(std::string* out);

}  // namespace toonbox::server
