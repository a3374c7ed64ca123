#include "bench/report_markdown.h"

#include <cmath>
#include <cstdio>

namespace toonbox::bench {

namespace {

constexpr const char* kDash = "—";

std::string printf_string(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string size_label(const BenchConfig& c) {
  return c.input_height() == c.size ? std::to_string(c.size) + "²" : std::to_string(c.size) + "×" + std::to_string(c.input_height());
}

std::string agreement_cell(const Agreement& a) {
  if (a.is_reference) return "reference";
  if (!a.measured) return kDash;
  return std::isinf(a.psnr_db) ? "identical" : printf_string("%.1f dB", a.psnr_db);
}

std::string status_cell(const ConfigResult& r) {
  if (r.outcome == Outcome::kFailed) return "**FAILED**";
  if (r.disagrees())
    return "**DISAGREES** (< " + printf_string("%.0f", r.agreement.floor_db) + " dB)";
  if (r.agreement.is_reference) return "ok (reference)";
  if (!r.agreement.measured) return "ok (agreement not measured)";
  return "ok (≥ " + printf_string("%.0f", r.agreement.floor_db) + " dB)";
}

std::string cold_cell(const ConfigResult& r) {
  if (!r.cold_start) return kDash;
  return r.cold_start->ok ? format_ms(r.cold_start->to_output_ms) : "failed";
}

std::string speedup_cell(const ConfigResult& r) {
  if (r.config.is_cpu()) return "1x (CPU)";
  return r.speedup_vs_cpu ? printf_string("%.1fx", *r.speedup_vs_cpu) : kDash;
}

std::string main_table(const BenchRun& run) {
  std::string t =
      "| model | device | precision | size | batch | time per image | batch time (median / p90) "
      "| device time | images/s | speed-up vs CPU | first run (compile) | cold start | VRAM "
      "| host RSS | PSNR vs CPU fp32 | SSIM | max abs | result |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const ConfigResult& r : run.results) {
    if (r.outcome == Outcome::kUnavailable) continue;
    const BenchConfig& c = r.config;
    const bool ok = r.outcome == Outcome::kOk || r.wall_ms.n > 0;
    const std::string cells[] = {
        c.model,
        c.device,
        c.precision,
        size_label(c),
        std::to_string(c.batch) + (r.batch_ran > 0 && r.batch_ran < c.batch
                                       ? " (ran " + std::to_string(r.batch_ran) + ")"
                                       : ""),
        ok ? format_ms(r.wall_ms.median / c.batch) : kDash,
        ok ? format_ms(r.wall_ms.median) + " / " + format_ms(r.wall_ms.p90) : kDash,
        ok ? format_ms(r.compute_ms.median) : kDash,
        ok ? printf_string("%.1f", r.images_per_s) : kDash,
        speedup_cell(r),
        ok ? format_ms(r.first_call_ms) + " (" + format_ms(r.compile_ms) + ")" : kDash,
        cold_cell(r),
        r.device_memory_measured ? format_bytes(r.peak_device_bytes)
        : c.is_cpu()             ? "n/a (CPU)"
                                 : kDash,
        ok ? format_bytes(r.peak_rss_bytes) : kDash,
        agreement_cell(r.agreement),
        r.agreement.measured ? printf_string("%.4f", r.agreement.ssim) : kDash,
        r.agreement.measured ? std::to_string(r.agreement.max_abs) : kDash,
        status_cell(r)};
    t += "|";
    for (const std::string& cell : cells) t += " " + cell + " |";
    t += "\n";
  }
  return t;
}

std::string pipeline_table(const BenchRun& run) {
  std::string t;
  for (const ConfigResult& r : run.results) {
    if (!r.pipeline || !r.pipeline->ok) continue;
    const PipelineResult& p = *r.pipeline;
    const BenchConfig& c = r.config;
    if (t.empty())
      t = "| model | device | precision | size | batch | images | images/s | busy: decode / device "
          "/ encode | "
          "threads (decode, streams, encode) | overlap | bound by "
          "|\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    t += "| " + c.model + " | " + c.device + " | " + c.precision + " | " + size_label(c) +
         " | " + std::to_string(c.batch) + " | " + std::to_string(p.images) + " " + p.input_format +
         "→" + p.output_format + " | " + printf_string("%.1f", p.images_per_s) + " | " +
         printf_string("%.0f%%", 100 * p.decode_utilisation) + " / " +
         printf_string("%.0f%%", 100 * p.device_utilisation) + " / " +
         printf_string("%.0f%%", 100 * p.encode_utilisation) + " | " +
         std::to_string(p.decode_threads) + ", " + std::to_string(p.streams) + ", " +
         std::to_string(p.encode_threads) + " | " +
         printf_string("%.2fx", p.overlap) + " | " + p.verdict + " |\n";
  }
  return t;
}

}  // namespace

std::string format_ms(double ms) {
  if (!(ms > 0)) return kDash;
  if (ms >= 1000) return printf_string("%.2f s", ms / 1000);
  if (ms >= 100) return printf_string("%.0f ms", ms);
  if (ms >= 10) return printf_string("%.1f ms", ms);
  return printf_string("%.2f ms", ms);
}

std::string format_bytes(size_t bytes) {
  if (bytes == 0) return kDash;
  const double mib = static_cast<double>(bytes) / (1 << 20);
  return mib >= 1024 ? printf_string("%.2f GiB", mib / 1024) : printf_string("%.0f MiB", mib);
}

std::string bench_markdown(const BenchRun& run, int exit_code) {
  std::string md = "# toonbox bench: " + run.options.task + "\n\n";
  md += "Machine: " + machine_line(run.machine) + ".  \n";
  md += "Started " + run.started + ", took " + printf_string("%.1f s", run.seconds) +
        ". Input: " + run.input +
        ", processed as one whole image at each size (resolution full, no tiles).\n\n";
  if (!run.complete)
    md += std::string(run.interrupted ? "**Interrupted**: " : "**Incomplete**: ") +
          std::to_string(run.results.size()) + " of " + std::to_string(run.planned) +
          " configurations measured" + (run.interrupted ? "" : " so far") + ".\n\n";
  md += main_table(run);
  md +=
      "\nTime per image and batch time are warm wall times of the whole call (pre- and "
      "post-processing, upload, compute, download); device time is the backend's compute time "
      "of the batch. First run = compile + first inference; cold start = a fresh `toonbox` "
      "process to its output file. VRAM = the drop in free device memory from before loading "
      "to the lowest point seen.\n";
  if (const std::string p = pipeline_table(run); !p.empty())
    md += "\n## Pipeline mode (decode → device → encode)\n\n" + p;
  std::string unavailable;
  for (const ConfigResult& r : run.results)
    if (r.outcome != Outcome::kOk)
      unavailable +=
          "- " + r.config.label() + " (" + outcome_name(r.outcome) + "): " + r.error + "\n";
  if (!unavailable.empty()) md += "\n## Not measured\n\n" + unavailable;
  std::string notes;
  for (const std::string& n : run.notes) notes += "- " + n + "\n";
  for (const ConfigResult& r : run.results)
    for (const std::string& n : r.notes) notes += "- " + r.config.label() + ": " + n + "\n";
  if (!notes.empty()) md += "\n## Notes\n\n" + notes;
  md += "\nExit code " + std::to_string(exit_code) + ".\n";
  return md;
}

}  // namespace toonbox::bench
