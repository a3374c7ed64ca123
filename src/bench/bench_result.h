// Everything `bench` measured: one ConfigResult per configuration (raw figures, what
// could not run and why) and the run around them (machine, options, notes). The JSON
// and Markdown writers and --compare read these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/bench_options.h"
#include "bench/cold_start.h"
#include "bench/machine.h"
#include "bench/pipeline_mode.h"

namespace toonbox::bench {

// Order statistics of N samples in ms (p90 by nearest rank: the value 90% of runs were
// at or under).
struct Stats {
  int n = 0;
  double median = 0, p90 = 0, min = 0, max = 0, mean = 0;
};
Stats summarize(std::vector<double> samples);

struct Agreement {
  bool measured = false;
  bool is_reference = false;  // this row is the CPU fp32 batch-1 run the others are compared with
  std::string reference;      // what it was compared with, or why it was not measured
  double psnr_db = 0;         // the worst batch item's; +infinity when identical
  double ssim = 0;            // of the worst item
  int max_abs = 0;            // over every item
  int items = 0;              // batch items compared
  double floor_db = 0;        // what this model promises at this precision
  bool pass = true;
};

// kUnavailable: explained and does not fail the run (absent device, unknown model, a
// size or batch the model cannot take, out of memory). kFailed: an error while
// measuring something that loaded (a bug, a flaky device): fails the run.
enum class Outcome { kOk, kUnavailable, kFailed };
const char* outcome_name(Outcome o);  // "ok", "unavailable", "failed"

struct ConfigResult {
  BenchConfig config;
  Outcome outcome = Outcome::kOk;
  std::string error, error_code;  // when not ok: the message and the status code's name
  std::string model_description, device_label;
  double load_ms = 0;        // import + contract, weights uploaded on first compile
  double compile_ms = 0;     // the first call's specialize + fuse + memory plan + backend compile
  double first_call_ms = 0;  // wall time of the first call (compile, first inference, pre/post)
  double first_compute_ms = 0;  // the backend's compute time of that first inference
  Stats wall_ms, compute_ms, upload_ms, download_ms;  // warm runs, per call (the whole batch)
  double images_per_s = 0;                            // batch / median wall time
  double images_per_s_compute = 0;                    // batch / median compute time
  int batch_ran = 0;  // largest device call (< batch: the task split it, see notes)
  size_t arena_bytes = 0;
  bool device_memory_measured = false;  // CUDA: free memory sampled before and after each call
  size_t peak_device_bytes = 0;
  bool peak_rss_reset =
      false;  // false: VmHWM could not be reset, so it is the process's peak so far
  size_t peak_rss_bytes = 0;
  std::optional<ColdStart> cold_start;
  std::string cold_start_from;  // the key of the row whose cold start this is (one per size)
  std::optional<PipelineResult> pipeline;
  Agreement agreement;
  std::optional<double> speedup_vs_cpu;          // CPU time per image / this row's (wall)
  std::optional<double> speedup_vs_cpu_compute;  // the same with the backends' compute times
  std::string speedup_basis;                     // the CPU row it was computed against
  std::vector<std::string> notes;

  // A row whose agreement was measured and is below its floor.
  bool disagrees() const { return agreement.measured && !agreement.pass; }
};

struct BenchRun {
  MachineInfo machine;
  BenchOptions options;  // after defaults
  std::string input;     // "generated test image" or the photo's path
  std::vector<std::string> notes;
  std::vector<ConfigResult> results;
  double seconds = 0;
  std::string started;       // UTC, ISO 8601
  int planned = 0;           // configurations in the matrix
  bool complete = false;     // false while measuring: reports written after each row say so
  bool interrupted = false;  // BenchOptions::stop was set: the rest was not measured
};

}  // namespace toonbox::bench
