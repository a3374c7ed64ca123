// `toonbox bench` as a library call: every configuration of the matrix measured in
// order (the CPU fp32 reference of each model and size first), each compared with that
// reference, cold starts in child processes, speed-ups against the CPU rows.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bench/bench_result.h"
#include "bench/bench_task.h"
#include "bench/measure_config.h"
#include "image/image.h"

namespace toonbox::bench {

// Called after every configuration with the run so far (complete false until the last),
// so reports can be rewritten as rows arrive and an interrupted run keeps what it measured.
using PartialFn = std::function<void(const BenchRun& so_far)>;

// `options` have been through apply_defaults (its notes in `notes`). `photo` is --image
// decoded, or null for the generated test image. `progress` receives one line per phase.
BenchRun run_bench(const BenchOptions& options, std::vector<std::string> notes,
                   const BenchTask& task, const image::Image* photo, const ProgressFn& progress,
                   const PartialFn& after_each = nullptr);

// Documented in docs/cli.md: 0 when every configuration that ran agreed with the CPU
// fp32 reference and nothing failed (unavailable ones are explained, not failures),
// 1 on a disagreement, a failure, or when no configuration could run at all.
inline constexpr int kBenchExitFailure = 1;
int bench_exit_code(const BenchRun& run);

}  // namespace toonbox::bench
