// One configuration measured in this process: load, the first call (compile and first
// inference), warm runs, memory, and the pipeline run. The cold start (a child process)
// and agreement (against another row) are the caller's (bench_run.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bench/bench_result.h"
#include "bench/bench_task.h"
#include "engine/device_select.h"

namespace toonbox::bench {

// One line per phase ("loading", "warm run 3/20"; done false) and one when a
// configuration is finished (done true), for the progress line on stderr.
using ProgressFn = std::function<void(const std::string& line, bool done)>;

struct MeasureSettings {
  double max_seconds = 10;  // warm runs stop after this long (>= kMinWarmRuns done)
  std::string pipeline_format = "jpg";
  int streams = 1;  // pipeline mode on a GPU: device workers, each with its own model copy and stream
  const std::atomic<bool>* stop = nullptr;  // set: cut the warm runs and the pipeline run short
};

// `outputs` receives the first call's images (for agreement) when the row is ok.
ConfigResult measure_config(const BenchConfig& config, const BenchTask& task,
                            const engine::DeviceSelection& device, const image::Image& input,
                            const MeasureSettings& settings, std::vector<image::Image>* outputs,
                            const ProgressFn& progress);

// A status from loading or a first run, sorted into "explained, the table goes on"
// (absent device, unknown model, a shape or batch the model cannot take, out of memory)
// and "failed" (everything else).
Outcome outcome_for(const Status& s);

}  // namespace toonbox::bench
