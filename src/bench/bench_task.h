// What `bench` measures is a task: a model loaded on a device that turns batches of
// same-size images into output images, plus the `toonbox` command line that does one
// image of it (the cold start runs that in a fresh process). cartoonize, run, upscale,
// inpaint and restore are the tasks; a new one plugs in the same way (docs/bench.md): one
// class, one line in make_bench_task(), and every figure of the table — timings,
// memory, cold start, pipeline mode, agreement with the CPU — comes for free.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/device_select.h"
#include "engine/session.h"
#include "image/image.h"

namespace toonbox::bench {

// What one call reported.
struct CallReport {
  engine::RunReport run;  // compile_ms when this call compiled; upload/compute/download; arena
  int batch_ran = 0;  // images in the largest device call made (fewer than asked: a fallback)
  std::vector<std::string> notes;  // what the task adapted and why (batch split, OOM retry)
};

// One model on one device at one precision.
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  // Images of one size in, one output each. Called from one thread at a time.
  virtual Result<std::vector<image::Image>> run(const std::vector<const image::Image*>& images,
                                                CallReport* report) = 0;
  // "whitebox (White-box Cartoonization ...)", for the table.
  virtual std::string description() const = 0;
};

class BenchTask {
 public:
  virtual ~BenchTask() = default;
  virtual std::string name() const = 0;
  // The models measured when --model is not given: what is installed for this task.
  virtual std::vector<std::string> default_models() const = 0;
  // Loads `model` (a name or path) on `device`. kNotFound for an unknown model.
  virtual Result<std::unique_ptr<TaskRunner>> load(const std::string& model,
                                                   const engine::DeviceSelection& device) const = 0;
  // The arguments after `toonbox` that do what run() does to one image, as a user would
  // type them: the cold start runs them in a fresh process.
  virtual std::vector<std::string> cli_args(const std::string& model, const std::string& device,
                                            const std::string& precision, const std::string& input,
                                            const std::string& output) const = 0;
  // The lowest PSNR (dB, 8-bit) against the CPU fp32 output this model promises at
  // `precision` (docs/bench.md lists them and where they come from).
  virtual double agreement_floor_db(const std::string& model, Precision precision) const;
};

// runner.run(), with host memory running out (image tensors throw std::bad_alloc) as a
// kOutOfMemory status: a configuration too big for the host is a row, not the end.
Result<std::vector<image::Image>> run_guarded(TaskRunner& runner,
                                              const std::vector<const image::Image*>& images,
                                              CallReport* report);

// "cartoonize", "run", "upscale", "inpaint", "restore"; kInvalidArgument naming the tasks for anything else.
Result<std::unique_ptr<BenchTask>> make_bench_task(const std::string& name);
std::vector<std::string> bench_task_names();

}  // namespace toonbox::bench
