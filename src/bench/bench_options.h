// What `toonbox bench` measures: the options a user gave (lists of models, sizes,
// batches, precisions, devices), the defaults chosen for the machine, and the matrix of
// configurations they expand to, in the order they run.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace toonbox::bench {

inline constexpr int kMinSize = 16;
inline constexpr int kMaxSize = 8192;
inline constexpr int kMaxBatch = 64;
inline constexpr int kMaxRuns = 1000;

struct BenchOptions {
  std::string task = "cartoonize";
  std::vector<std::string> models;      // empty: the task's defaults
  std::vector<int> sizes;               // input widths (square unless in heights); empty: default
  std::map<int, int> heights;           // width -> height for inputs given as WxH (--sizes 1920x1080)
  std::vector<int> batches;             // images per device call; empty: default
  std::vector<int> cpu_batches;         // batches of CPU rows; empty: default
  std::vector<std::string> precisions;  // "fp32", "tf32", "fp16"; empty: default
  std::vector<std::string> devices;     // "cpu", "cuda", "cuda:N"; empty: default
  int runs = 0;                         // warm runs per GPU configuration; 0: default
  int cpu_runs = 0;                     // warm runs per CPU configuration; 0: default
  double max_seconds = 10;              // warm runs stop after this long (>= kMinWarmRuns done)
  std::string image;                    // a photo; empty: a generated test image
  bool cold_start = true;
  bool pipeline = true;
  int pipeline_images = 0;              // images in the pipeline run; 0: default
  std::string pipeline_format = "jpg";  // what the pipeline run encodes
  int streams = 2;                      // pipeline mode on a GPU: device workers (engine::kDefaultGpuStreams)
  std::string toonbox_exe;              // the binary the cold start runs; empty: this one
  // Polled between steps (and by the pipeline run and the cold start's wait): when set,
  // the step in hand is cut short and no further configuration starts.
  const std::atomic<bool>* stop = nullptr;
  bool stop_requested() const { return stop && stop->load(); }
};

// The warm runs a configuration makes even past max_seconds, so p90 means something.
inline constexpr int kMinWarmRuns = 3;

struct BenchConfig {
  std::string task, model, device, precision;
  int size = 0, batch = 1;
  int runs = 0;             // warm runs asked for
  int pipeline_images = 0;  // 0: no pipeline run
  int height = 0;           // 0: square (size x size); last, so positional initializers stay valid
  int input_height() const { return height > 0 ? height : size; }
  // "1024x1024", "1920x1080".
  std::string size_text() const;
  bool is_cpu() const { return device == "cpu"; }
  // "cartoonize whitebox cuda:0 fp16 1024x1024 batch 16": for messages and progress.
  std::string label() const;
  // What identifies the configuration across runs (--compare): task, model, device,
  // precision, size, batch.
  std::string key() const;
};

// "512,1024" -> {512, 1024}: every item an integer in lo..hi, no duplicates.
Result<std::vector<int>> parse_int_list(const std::string& flag, const std::string& text, int lo,
                                        int hi);
// "512,1920x1080" -> sizes {512, 1920}, heights {1920: 1080}: sides in lo..hi, one height
// per width.
Status parse_size_list(const std::string& text, int lo, int hi, std::vector<int>* sizes,
                       std::map<int, int>* heights);
// "a,b" -> {"a", "b"}: no empty items, no duplicates.
Result<std::vector<std::string>> parse_name_list(const std::string& flag, const std::string& text);

// "cuda" -> "cuda:0"; "cpu", "cuda:N" unchanged; anything else kInvalidArgument.
Result<std::string> normalize_device(const std::string& device);

// Fills what the user left empty, for a machine where a GPU is (or is not) usable, and
// appends one note per default saying what was chosen and why. `task_models` are the
// task's default models (installed ones). Checks the lists (devices, precisions).
Status apply_defaults(BenchOptions* options, bool gpu_usable,
                      const std::vector<std::string>& task_models, std::vector<std::string>* notes);

// Every combination, ordered so that each (model, size) starts with its CPU fp32 rows
// (the agreement reference) and fp32 comes before fp16. fp16 on the CPU is left out
// with a note when other precisions are measured there (the CPU backend is fp32 only);
// asked for alone it stays, and its row explains.
std::vector<BenchConfig> expand_matrix(const BenchOptions& options,
                                       std::vector<std::string>* notes);

}  // namespace toonbox::bench
