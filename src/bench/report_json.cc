#include "bench/report_json.h"

#include <cmath>

namespace toonbox::bench {

namespace {

using json = nlohmann::ordered_json;

json options_json(const BenchOptions& o) {
  return {{"task", o.task},
          {"models", o.models},
          {"sizes", o.sizes},
          {"batches", o.batches},
          {"cpu_batches", o.cpu_batches},
          {"precisions", o.precisions},
          {"devices", o.devices},
          {"runs", o.runs},
          {"cpu_runs", o.cpu_runs},
          {"max_seconds", o.max_seconds},
          {"image", o.image.empty() ? json() : json(o.image)},
          {"cold_start", o.cold_start},
          {"pipeline", o.pipeline},
          {"pipeline_images", o.pipeline_images},
          {"pipeline_format", o.pipeline_format},
          {"streams", o.streams}};
}

json cold_start_json(const ColdStart& c, const std::string& measured_in) {
  return {{"ok", c.ok},
          {"error", c.ok ? json() : json(c.error)},
          {"to_output_ms", c.to_output_ms},
          {"to_exit_ms", c.to_exit_ms},
          {"peak_rss_bytes", c.peak_rss_bytes},
          {"argv", c.argv},
          {"measured_in", measured_in}};
}

json pipeline_json(const PipelineResult& p) {
  json calls = json::object();
  for (const auto& [size, count] : p.device_calls) calls[std::to_string(size)] = count;
  return {
      {"ok", p.ok},
      {"error", p.ok ? json() : json(p.error)},
      {"images", p.images},
      {"failed", p.failed},
      {"input_format", p.input_format},
      {"output_format", p.output_format},
      {"seconds", p.seconds},
      {"images_per_s", p.images_per_s},
      {"threads", {{"decode", p.decode_threads}, {"device", p.streams}, {"encode", p.encode_threads}}},
      {"streams", p.streams},
      {"stage_busy_ms",
       {{"decode", p.decode_busy_ms}, {"device", p.device_busy_ms}, {"encode", p.encode_busy_ms}}},
      {"utilisation",
       {{"decode", p.decode_utilisation},
        {"device", p.device_utilisation},
        {"encode", p.encode_utilisation}}},
      {"overlap", p.overlap},
      {"device_calls", calls},
      {"device_stage_ms_per_image", p.device_stage_ms_per_image},
      {"model_ms_per_image", p.model_ms_per_image},
      {"bound_by", p.bound_by},
      {"host_bound", p.host_bound},
      {"verdict", p.verdict}};
}

json agreement_json(const Agreement& a) {
  const bool identical = a.measured && std::isinf(a.psnr_db);
  return {{"measured", a.measured},
          {"is_reference", a.is_reference},
          {"reference", a.reference},
          // JSON has no infinity: identical outputs are psnr null with identical true.
          {"psnr_db", a.measured && !identical ? json(a.psnr_db) : json()},
          {"identical", identical},
          {"ssim", a.measured ? json(a.ssim) : json()},
          {"max_abs", a.measured ? json(a.max_abs) : json()},
          {"items", a.items},
          {"floor_db", a.floor_db},
          {"pass", a.pass}};
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(); }

json result_json(const ConfigResult& r) {
  const BenchConfig& c = r.config;
  const bool ok = r.outcome == Outcome::kOk;
  auto measured = [ok](const json& v) { return ok ? v : json(); };
  return {
      {"key", c.key()},
      {"task", c.task},
      {"model", c.model},
      {"device", c.device},
      {"precision", c.precision},
      {"size", c.size},
      {"height", c.input_height()},
      {"batch", c.batch},
      {"runs_requested", c.runs},
      {"outcome", outcome_name(r.outcome)},
      {"error", ok ? json() : json(r.error)},
      {"error_code", ok ? json() : json(r.error_code)},
      {"model_description", r.model_description},
      {"device_label", r.device_label},
      {"load_ms", measured(r.load_ms)},
      {"compile_ms", measured(r.compile_ms)},
      {"first_call_ms", measured(r.first_call_ms)},
      {"first_compute_ms", measured(r.first_compute_ms)},
      {"warm_ms", measured({{"wall", stats_json(r.wall_ms)},
                            {"compute", stats_json(r.compute_ms)},
                            {"upload", stats_json(r.upload_ms)},
                            {"download", stats_json(r.download_ms)}})},
      {"images_per_s", measured(r.images_per_s)},
      {"images_per_s_compute", measured(r.images_per_s_compute)},
      {"batch_ran", measured(r.batch_ran)},
      {"arena_bytes", measured(r.arena_bytes)},
      {"peak_device_bytes", ok && r.device_memory_measured ? json(r.peak_device_bytes) : json()},
      {"peak_rss_bytes", measured(r.peak_rss_bytes)},
      {"peak_rss_reset", r.peak_rss_reset},
      {"cold_start", r.cold_start ? cold_start_json(*r.cold_start, r.cold_start_from) : json()},
      {"pipeline", r.pipeline ? pipeline_json(*r.pipeline) : json()},
      {"agreement", agreement_json(r.agreement)},
      {"speedup_vs_cpu", optional_number(r.speedup_vs_cpu)},
      {"speedup_vs_cpu_compute", optional_number(r.speedup_vs_cpu_compute)},
      {"speedup_basis", r.speedup_basis.empty() ? json() : json(r.speedup_basis)},
      {"notes", r.notes}};
}

}  // namespace

json stats_json(const Stats& s) {
  return {{"n", s.n},     {"median", s.median}, {"p90", s.p90},
          {"min", s.min}, {"max", s.max},       {"mean", s.mean}};
}

json bench_json(const BenchRun& run, int exit_code) {
  json results = json::array();
  for (const ConfigResult& r : run.results) results.push_back(result_json(r));
  return {{"schema", kBenchSchema},
          {"started", run.started},
          {"seconds", run.seconds},
          {"complete", run.complete},
          {"interrupted", run.interrupted},
          {"configurations_planned", run.planned},
          {"machine", machine_json(run.machine)},
          {"options", options_json(run.options)},
          {"input", run.input},
          {"processing",
           "whole image at the requested size: resolution full, no tiles, no face detection"},
          {"notes", run.notes},
          {"results", results},
          {"exit_code", exit_code}};
}

}  // namespace toonbox::bench
