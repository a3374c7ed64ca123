// --compare BASELINE.json: this run's figures as ratios to a saved run, row by row (same
// task, model, device, precision, size, batch), with regressions flagged only beyond the
// noise the two runs measured (the rule is in docs/bench.md and compare.cc).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace toonbox::bench {

inline constexpr int kBenchExitRegression = 3;

struct MetricComparison {
  std::string metric;  // "warm_wall_ms", "warm_compute_ms", "pipeline_images_per_s", ...
  double baseline = 0, current = 0;
  double ratio = 0;      // current / baseline
  double threshold = 0;  // ratio beyond which it is a regression (above for times, below for rates)
  bool higher_is_better = false;
  bool regression = false, improvement = false;
  std::string rule;  // how the threshold was set
};

struct RowComparison {
  std::string key;
  std::string status;  // "compared", "new" (not in the baseline), "missing" (not in this run),
                       // "no longer runs" (ok in the baseline, not now)
  std::vector<MetricComparison> metrics;
  bool regression = false;
  std::string note;
};

struct Comparison {
  std::string baseline_path;
  std::vector<std::string> notes;  // e.g. "the baseline was measured on another machine"
  std::vector<RowComparison> rows;
  bool regression = false;
};

// Reads and checks a saved report (schema toonbox.bench/1, at most 64 MiB); errors name
// the file and what is wrong.
Result<nlohmann::json> load_bench_json(const std::string& path);

// Both documents are bench JSON reports (bench_json() or a file read by load_bench_json).
Comparison compare_runs(const nlohmann::json& baseline, const nlohmann::json& current,
                        const std::string& baseline_path);

nlohmann::ordered_json comparison_json(const Comparison& c);
// A Markdown section: one line per row with its ratios, regressions in bold.
std::string comparison_markdown(const Comparison& c);

}  // namespace toonbox::bench
