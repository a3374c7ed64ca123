// Pipeline mode: a folder of generated JPEGs through the folder runner (src/batch:
// decoder threads -> the task on the device -> encoder threads), the way
// `toonbox cartoonize DIR -o OUTDIR` runs, giving images/s end to end and how busy each
// stage was, so a run that the host holds back says so.
#pragma once

#include <atomic>
#include <map>
#include <string>

#include "bench/bench_task.h"
#include "image/image.h"

namespace toonbox::bench {

struct PipelineResult {
  bool ok = false;
  std::string error;
  int images = 0, failed = 0;
  std::string input_format = "jpg", output_format;
  double seconds = 0, images_per_s = 0;
  int decode_threads = 0, encode_threads = 0;
  int streams = 1;  // device workers (a model copy each, own CUDA stream): --streams on a GPU
  double decode_busy_ms = 0, device_busy_ms = 0, encode_busy_ms = 0;
  double overlap = 0;  // busy times summed over wall time
  // Busy share of each stage's threads over the wall time (1 = always working; the
  // device stage's over its streams).
  double decode_utilisation = 0, device_utilisation = 0, encode_utilisation = 0;
  std::map<int, int> device_calls;       // images per call -> calls
  double device_stage_ms_per_image = 0;  // the device stage's busy time per image, over its streams
  double model_ms_per_image = 0;         // the warm in-process compute time per image
  std::string bound_by;                  // "device", "decode" or "encode"
  bool host_bound = false;
  std::string verdict;  // one sentence saying why
};

struct PipelineSettings {
  int images = 0;
  int batch = 1;
  bool gpu = false;  // stage threads as the CLI sets them for this device
  std::string output_format = "jpg";
  double model_ms_per_image = 0;  // for the verdict: how much of the device stage is the model
  const std::atomic<bool>* stop = nullptr;  // the folder runner's stop flag
};

// Writes the folder (variants of `input`), runs it through `runners` (one device worker
// each, one queue: the streams of one GPU) and removes it.
PipelineResult run_pipeline_mode(const std::vector<TaskRunner*>& runners, const image::Image& input,
                                 const PipelineSettings& settings);

// The verdict from the stage figures alone (tested on its own): the busiest stage binds;
// a device stage whose time is mostly not the model's compute is host work too.
void judge_pipeline(PipelineResult* r);

}  // namespace toonbox::bench
