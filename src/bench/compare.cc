#include "bench/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "bench/report_json.h"

namespace toonbox::bench {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxReportBytes = 64u << 20;
// The regression rule. A warm figure has a measured spread (p90 / median - 1 of its own
// runs); the threshold is twice the larger spread of the two runs, and never below 5%,
// because a median moves by much less than the p90 does. Single measurements (compile,
// cold start) have no spread to read, so only a 1.5x change counts. Pipeline mode is one
// long run; its noise is taken as the warm runs', at least 10%.
constexpr double kMinNoise = 0.05;
constexpr double kNoiseMultiple = 2;
constexpr double kMinPipelineNoise = 0.10;
constexpr double kSingleShotThreshold = 1.5;
constexpr double kPsnrDropDb = 1.0;

std::optional<double> number_at(const json& j, std::initializer_list<const char*> path) {
  const json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return std::nullopt;
    at = &(*at)[key];
  }
  if (!at->is_number()) return std::nullopt;
  return at->get<double>();
}

std::string string_at(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// p90 / median - 1 of a stats object, 0 when it cannot be read.
double spread(const json& row, const char* stat) {
  const auto median = number_at(row, {"warm_ms", stat, "median"}),
             p90 = number_at(row, {"warm_ms", stat, "p90"});
  if (!median || !p90 || *median <= 0) return 0;
  return std::max(0.0, *p90 / *median - 1);
}

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
  return buf;
}

std::string times(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", v);
  return buf;
}

// Lower is better; `noise` already chosen.
MetricComparison lower_is_better(const char* metric, double base, double now, double threshold,
                                 std::string rule) {
  MetricComparison m;
  m.metric = metric;
  m.baseline = base;
  m.current = now;
  m.ratio = now / base;
  m.threshold = threshold;
  m.rule = std::move(rule);
  m.regression = m.ratio > threshold;
  m.improvement = m.ratio < 1 / threshold;
  return m;
}

void compare_rows(const json& base, const json& now, RowComparison* row) {
  const double wall_noise = std::max(spread(base, "wall"), spread(now, "wall"));
  auto warm = [&](const char* metric, const char* stat) {
    const auto b = number_at(base, {"warm_ms", stat, "median"}),
               n = number_at(now, {"warm_ms", stat, "median"});
    if (!b || !n || *b <= 0 || *n <= 0) return;
    const double noise = std::max(spread(base, stat), spread(now, stat));
    const double threshold = 1 + std::max(kMinNoise, kNoiseMultiple * noise);
    row->metrics.push_back(lower_is_better(
        metric, *b, *n, threshold,
        "2 x the p90/median spread (" + pct(noise) + "), at least " + pct(kMinNoise)));
  };
  warm("warm_wall_ms", "wall");
  warm("warm_compute_ms", "compute");
  if (auto b = number_at(base, {"pipeline", "images_per_s"}),
      n = number_at(now, {"pipeline", "images_per_s"});
      b && n && *b > 0 && *n > 0) {
    const double noise = std::max(kMinPipelineNoise, kNoiseMultiple * wall_noise);
    MetricComparison m =
        lower_is_better("pipeline_images_per_s", *b, *n, 1 + noise,
                        "the warm runs' noise, at least " + pct(kMinPipelineNoise));
    // A rate: higher is better, so the test is mirrored.
    m.higher_is_better = true;
    m.regression = m.ratio < 1 / m.threshold;
    m.improvement = m.ratio > m.threshold;
    row->metrics.push_back(m);
  }
  auto single = [&](const char* metric, std::initializer_list<const char*> path) {
    const auto b = number_at(base, path), n = number_at(now, path);
    if (!b || !n || *b <= 0 || *n <= 0) return;
    row->metrics.push_back(
        lower_is_better(metric, *b, *n, kSingleShotThreshold, "one sample: 1.5x"));
  };
  single("compile_ms", {"compile_ms"});
  single("cold_start_ms", {"cold_start", "to_output_ms"});
  const auto bp = number_at(base, {"agreement", "psnr_db"}),
             np = number_at(now, {"agreement", "psnr_db"});
  const bool failed_now = now.contains("agreement") && now["agreement"].is_object() &&
                          now["agreement"].value("measured", false) &&
                          !now["agreement"].value("pass", true);
  if (bp && np) {
    MetricComparison m;
    m.metric = "psnr_db";
    m.baseline = *bp;
    m.current = *np;
    m.ratio = *np / *bp;
    m.higher_is_better = true;
    m.threshold = *bp - kPsnrDropDb;
    m.rule = "a drop of more than 1 dB, or below the precision's floor";
    m.regression = *np < m.threshold || failed_now;
    row->metrics.push_back(m);
  } else if (failed_now) {
    row->regression = true;
    row->note = "disagrees with the CPU fp32 output now";
  }
  for (const MetricComparison& m : row->metrics) row->regression = row->regression || m.regression;
}

std::string machine_name(const json& report) {
  std::string s;
  if (report.contains("machine") && report["machine"].contains("gpus") &&
      report["machine"]["gpus"].is_array())
    for (const json& g : report["machine"]["gpus"]) s += string_at(g, "name") + ";";
  if (report.contains("machine") && report["machine"].contains("cpu"))
    s += string_at(report["machine"]["cpu"], "model");
  return s;
}

std::map<std::string, const json*> rows_by_key(const json& report) {
  std::map<std::string, const json*> rows;
  if (!report.is_object() || !report.contains("results") || !report["results"].is_array()) return rows;
  for (const json& r : report["results"])
    if (!string_at(r, "key").empty()) rows[string_at(r, "key")] = &r;
  return rows;
}

}  // namespace

Result<json> load_bench_json(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return not_found(path + ": cannot read the baseline: " + ec.message());
  if (size > kMaxReportBytes)
    return resource_exhausted(path + ": " + std::to_string(size) +
                              " bytes, more than a bench report can be (" +
                              std::to_string(kMaxReportBytes) + ")");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return data_loss(path + ": not valid JSON");
  if (!j.is_object() || string_at(j, "schema") != kBenchSchema)
    return invalid_argument(path + ": not a toonbox bench report (got schema '" +
                            string_at(j, "schema") + "', expected '" + kBenchSchema + "')");
  if (!j.contains("results") || !j["results"].is_array())
    return invalid_argument(path + ": has no \"results\" array");
  return j;
}

Comparison compare_runs(const json& baseline, const json& current,
                        const std::string& baseline_path) {
  Comparison c;
  c.baseline_path = baseline_path;
  if (machine_name(baseline) != machine_name(current))
    c.notes.push_back("the baseline was measured on another machine (" + machine_name(baseline) +
                      "): the ratios compare machines as well as builds");
  const auto base_rows = rows_by_key(baseline), now_rows = rows_by_key(current);
  for (const auto& [key, now] : now_rows) {
    RowComparison row;
    row.key = key;
    const auto it = base_rows.find(key);
    const bool ok_now = string_at(*now, "outcome") == "ok";
    if (it == base_rows.end()) {
      row.status = "new";
    } else if (string_at(*it->second, "outcome") == "ok" && !ok_now) {
      row.status = "no longer runs";
      row.regression = true;
      row.note = string_at(*now, "error");
    } else if (!ok_now) {
      row.status = "not run in either";
    } else if (string_at(*it->second, "outcome") != "ok") {
      row.status = "runs now";
    } else {
      row.status = "compared";
      compare_rows(*it->second, *now, &row);
    }
    c.regression = c.regression || row.regression;
    c.rows.push_back(std::move(row));
  }
  for (const auto& [key, base] : base_rows)
    if (!now_rows.count(key))
      c.rows.push_back({key, "missing", {}, false, "in the baseline, not measured in this run"});
  return c;
}

nlohmann::ordered_json comparison_json(const Comparison& c) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const RowComparison& r : c.rows) {
    nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
    for (const MetricComparison& m : r.metrics)
      metrics.push_back({{"metric", m.metric},
                         {"baseline", m.baseline},
                         {"current", m.current},
                         {"ratio", m.ratio},
                         {"threshold", m.threshold},
                         {"higher_is_better", m.higher_is_better},
                         {"regression", m.regression},
                         {"improvement", m.improvement},
                         {"rule", m.rule}});
    rows.push_back({{"key", r.key},
                    {"status", r.status},
                    {"regression", r.regression},
                    {"note", r.note},
                    {"metrics", metrics}});
  }
  return {{"baseline", c.baseline_path},
          {"regression", c.regression},
          {"notes", c.notes},
          {"rows", rows}};
}

std::string comparison_markdown(const Comparison& c) {
  std::string md = "## Compared with " + c.baseline_path + "\n\n";
  for (const std::string& n : c.notes) md += "Note: " + n + ".\n\n";
  md +=
      "Ratios are this run / the baseline (times: below 1 is faster; rates and PSNR: above 1 is "
      "better).\n\n";
  for (const RowComparison& r : c.rows) {
    md += "- " + r.key + ": " + (r.regression ? "**REGRESSION** " : "");
    if (r.status != "compared") md += r.status + (r.note.empty() ? "" : " (" + r.note + ")");
    std::string parts;
    for (const MetricComparison& m : r.metrics) {
      std::string part = m.metric + " " + times(m.ratio);
      if (m.metric == "psnr_db") {
        char buf[64];
        std::snprintf(buf, sizeof buf, "psnr %.1f -> %.1f dB", m.baseline, m.current);
        part = buf;
      }
      if (m.regression)
        part = "**" + part + "** (limit " +
               (m.metric == "psnr_db" ? "-1 dB"
                                      : times(m.higher_is_better ? 1 / m.threshold : m.threshold)) +
               ": " + m.rule + ")";
      else if (m.improvement)
        part += " (better)";
      parts += (parts.empty() ? "" : ", ") + part;
    }
    if (!r.metrics.empty() && !r.note.empty()) parts += "; " + r.note;
    md += parts + "\n";
  }
  md += c.regression ? "\nRegressions found: exit code 3 unless a disagreement or failure sets 1.\n"
                     : "\nNo regression beyond the measured noise.\n";
  return md;
}

}  // namespace toonbox::bench
