#include "bench/measure_config.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "bench/host_memory.h"
#include "engine/device_list.h"
#include "core/timing.h"
#include "core/error_code.h"

namespace toonbox::bench {

namespace {

// The lowest free device memory seen since `baseline` was taken: what this row's model,
// arena and workspaces occupy (other processes on the same GPU move it too).
class DeviceMemoryWatch {
 public:
  explicit DeviceMemoryWatch(const engine::DeviceSelection& device) : device_(device) {
    if (!device.is_gpu) return;
    auto free_bytes = device.backend->free_memory();
    if (!free_bytes.is_ok()) return;
    baseline_ = lowest_ = *free_bytes;
    active_ = true;
  }
  void sample() {
    if (!active_) return;
    if (auto free_bytes = device_.backend->free_memory(); free_bytes.is_ok())
      lowest_ = std::min(lowest_, *free_bytes);
  }
  bool active() const { return active_; }
  size_t peak() const { return baseline_ - lowest_; }

 private:
  const engine::DeviceSelection& device_;
  bool active_ = false;
  size_t baseline_ = 0, lowest_ = 0;
};

ConfigResult not_run(ConfigResult r, const Status& s, const std::string& context) {
  r.outcome = outcome_for(s);
  r.error = context + s.message();
  r.error_code = error_code(s.code());
  return r;
}

}  // namespace

Outcome outcome_for(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:         // unknown or not installed model
    case StatusCode::kUnavailable:      // absent device, missing library
    case StatusCode::kOutOfMemory:      // does not fit this device
    case StatusCode::kUnimplemented:    // an op, a batch or a precision this build cannot do
    case StatusCode::kInvalidArgument:  // a shape the model cannot take
    case StatusCode::kResourceExhausted:
      return Outcome::kUnavailable;
    default:
      return Outcome::kFailed;
  }
}

ConfigResult measure_config(const BenchConfig& config, const BenchTask& task,
                            const engine::DeviceSelection& device, const image::Image& input,
                            const MeasureSettings& settings, std::vector<image::Image>* outputs,
                            const ProgressFn& progress) {
  ConfigResult r;
  r.config = config;
  r.device_label = device.backend->device().id + " " + device.backend->device().label;
  r.peak_rss_reset = reset_peak_rss();
  DeviceMemoryWatch memory(device);

  progress("loading", false);
  auto t0 = std::chrono::steady_clock::now();
  auto runner = task.load(config.model, device);
  if (!runner.is_ok()) return not_run(std::move(r), runner.status(), "cannot load the model: ");
  r.load_ms = ms_since(t0);
  r.model_description = (*runner)->description();
  memory.sample();

  const std::vector<const image::Image*> batch(static_cast<size_t>(config.batch), &input);
  progress("compiling and first run", false);
  CallReport first;
  t0 = std::chrono::steady_clock::now();
  auto out = run_guarded(**runner, batch, &first);
  r.first_call_ms = ms_since(t0);
  if (!out.is_ok()) return not_run(std::move(r), out.status(), "");
  r.compile_ms = first.run.compile_ms;
  r.first_compute_ms = first.run.timings.compute_ms;
  r.arena_bytes = first.run.arena_bytes;
  r.batch_ran = first.batch_ran;
  r.notes = first.notes;
  if (r.batch_ran < config.batch)
    r.notes.push_back("asked for a batch of " + std::to_string(config.batch) +
                      ", the largest device call was " + std::to_string(r.batch_ran));
  memory.sample();

  std::vector<double> wall, compute, upload, download;
  const auto warm_start = std::chrono::steady_clock::now();
  for (int i = 0; i < config.runs; ++i) {
    if (settings.stop && settings.stop->load()) {
      r.notes.push_back("interrupted after " + std::to_string(i) + " warm runs");
      break;
    }
    if (i >= kMinWarmRuns && ms_since(warm_start) > settings.max_seconds * 1000) {
      r.notes.push_back("warm runs stopped after " + std::to_string(i) + " of " +
                        std::to_string(config.runs) + ": they passed --max-seconds " +
                        std::to_string(static_cast<int>(settings.max_seconds)));
      break;
    }
    progress("warm run " + std::to_string(i + 1) + "/" + std::to_string(config.runs), false);
    CallReport call;
    t0 = std::chrono::steady_clock::now();
    auto again = run_guarded(**runner, batch, &call);
    const double ms = ms_since(t0);
    if (!again.is_ok()) {
      r.outcome = Outcome::kFailed;
      r.error = "warm run " + std::to_string(i + 1) +
                " failed after a successful first run: " + again.status().message();
      r.error_code = error_code(again.status().code());
      return r;
    }
    if (call.run.compiled)
      r.notes.push_back("warm run " + std::to_string(i + 1) + " compiled again (evicted?)");
    wall.push_back(ms);
    compute.push_back(call.run.timings.compute_ms);
    upload.push_back(call.run.timings.upload_ms);
    download.push_back(call.run.timings.download_ms);
    memory.sample();
  }
  r.wall_ms = summarize(wall);
  r.compute_ms = summarize(compute);
  r.upload_ms = summarize(upload);
  r.download_ms = summarize(download);
  if (r.wall_ms.median > 0) r.images_per_s = config.batch * 1000.0 / r.wall_ms.median;
  if (r.compute_ms.median > 0) r.images_per_s_compute = config.batch * 1000.0 / r.compute_ms.median;

  if (config.pipeline_images > 0) {
    progress("pipeline mode, " + std::to_string(config.pipeline_images) + " images", false);
    PipelineSettings p;
    p.images = config.pipeline_images;
    p.batch = config.batch;
    p.gpu = device.is_gpu;
    p.output_format = settings.pipeline_format;
    p.model_ms_per_image = r.compute_ms.median / config.batch;
    p.stop = settings.stop;
    // More streams: more copies of the model on the same GPU, each compiled for this
    // batch before the timed run, as a folder's workers are by their first images.
    std::vector<engine::DeviceSelection> lanes = {device};  // their backends live as long as the runs
    std::vector<std::unique_ptr<TaskRunner>> extra;
    std::vector<TaskRunner*> runners = {runner->get()};
    if (device.is_gpu && settings.streams > 1) {
      auto more = engine::with_gpu_streams({device}, settings.streams);
      if (!more.is_ok()) return not_run(std::move(r), more.status(), "pipeline mode's streams: ");
      lanes = std::move(more).value();
      for (size_t k = 1; k < lanes.size(); ++k) {
        const std::string which = "pipeline mode's stream " + std::to_string(k + 1) + ": ";
        auto lane = task.load(config.model, lanes[k]);
        if (!lane.is_ok()) return not_run(std::move(r), lane.status(), which);
        CallReport warm;
        auto first_run = run_guarded(**lane, batch, &warm);
        if (!first_run.is_ok()) return not_run(std::move(r), first_run.status(), which);
        runners.push_back(lane->get());
        extra.push_back(std::move(lane).value());
      }
    }
    r.pipeline = run_pipeline_mode(runners, input, p);
    memory.sample();
    if (!r.pipeline->ok && settings.stop && settings.stop->load()) {
      r.notes.push_back("pipeline mode " + r.pipeline->error);
    } else if (!r.pipeline->ok) {
      r.outcome = Outcome::kFailed;
      r.error = "pipeline mode: " + r.pipeline->error;
      r.error_code = error_code(StatusCode::kInternal);
    }
  }
  r.device_memory_measured = memory.active();
  if (memory.active()) r.peak_device_bytes = memory.peak();
  r.peak_rss_bytes = peak_rss_bytes();
  if (outputs) *outputs = std::move(out).value();
  return r;
}

}  // namespace toonbox::bench
