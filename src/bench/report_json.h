// The JSON report (schema "toonbox.bench/1", fields in docs/bench.md): every raw figure
// of every configuration, the machine and the options, so a later run can --compare
// against it and tools/bench_pytorch.py can put PyTorch beside it.
#pragma once

#include <nlohmann/json.hpp>

#include "bench/bench_result.h"

namespace toonbox::bench {

inline constexpr const char* kBenchSchema = "toonbox.bench/1";

nlohmann::ordered_json bench_json(const BenchRun& run, int exit_code);
nlohmann::ordered_json stats_json(const Stats& s);

}  // namespace toonbox::bench
