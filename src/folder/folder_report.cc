#include "folder/folder_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error_code.h"

namespace toonbox::folder {
namespace {

double images_per_s(const RunSummary& s) {
  const int done = s.ok + s.failed;
  return s.wall_ms > 0 ? done / (s.wall_ms / 1000.0) : 0.0;
}

double overlap(const RunSummary& s) {
  return s.wall_ms > 0 ? (s.decode_busy_ms + s.device_busy_ms + s.encode_busy_ms) / s.wall_ms : 0.0;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 360000) return "--";
  const long total = std::lround(seconds);
  char buf[32];
  if (total >= 3600)
    std::snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(buf, sizeof(buf), "%ld:%02ld", total / 60, total % 60);
  return buf;
}

nlohmann::ordered_json image_result_json(const ImageResult& r) {
  nlohmann::ordered_json j = {{"input", r.image->input}, {"output", r.image->output}, {"ok", r.status.is_ok()}};
  if (!r.status.is_ok()) {
    j["error"] = r.status.message();
    j["code"] = error_code(r.status.code());
  } else {
    j["width"] = r.width;
    j["height"] = r.height;
    if (!r.note.mode.empty()) {
      j["mode"] = r.note.mode;
      j["faces"] = r.note.faces;
    }
    if (!r.note.notes.empty()) j["notes"] = r.note.notes;
  }
  j["batch"] = r.batch;
  if (!r.device.empty()) j["device"] = r.device;
  if (r.attempts > 1) j["attempts"] = r.attempts;
  j["ms"] = std::round(r.total_ms * 100) / 100;
  j["decode_ms"] = std::round(r.decode_ms * 100) / 100;
  j["device_ms"] = std::round(r.device_ms * 100) / 100;
  j["encode_ms"] = std::round(r.encode_ms * 100) / 100;
  return j;
}

namespace {

nlohmann::ordered_json calls_json(const std::map<int, int>& device_calls) {
  nlohmann::ordered_json calls = nlohmann::ordered_json::object();
  for (const auto& [size, n] : device_calls) calls[std::to_string(size)] = n;
  return calls;
}

}  // namespace

nlohmann::ordered_json devices_json(const RunSummary& s) {
  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  for (const DeviceStats& d : s.devices) {
    nlohmann::ordered_json j = {{"device", d.id},
                                {"images", d.images},
                                // Over the whole run's wall time: the device's share of the throughput.
                                {"images_per_s", s.wall_ms > 0 ? std::round(d.images / (s.wall_ms / 1000) * 100) / 100 : 0.0},
                                {"busy_ms", std::round(d.busy_ms)},
                                {"device_calls", calls_json(d.device_calls)},
                                {"retried_elsewhere", d.retried_elsewhere}};
    if (!d.retired.empty()) j["retired"] = d.retired;
    devices.push_back(std::move(j));
  }
  return devices;
}

nlohmann::ordered_json summary_json(const RunSummary& s, const RunContext& c) {
  const nlohmann::ordered_json calls = calls_json(s.device_calls);
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const auto& f : s.failures)
    failures.push_back({{"input", f.image->input}, {"error", f.status.message()}, {"code", error_code(f.status.code())}});
  return {{"summary", true},
          {"total", s.total},
          {"ok", s.ok},
          {"failed", s.failed},
          {"not_run", s.not_run},
          {"skipped_existing", c.skipped_existing},
          {"interrupted", s.stopped},
          {"seconds", std::round(s.wall_ms) / 1000},
          {"images_per_s", std::round(images_per_s(s) * 100) / 100},
          {"batch_size", c.batch_size},
          {"device_calls", calls},
          {"stage_busy_ms",
           {{"decode", std::round(s.decode_busy_ms)}, {"device", std::round(s.device_busy_ms)}, {"encode", std::round(s.encode_busy_ms)}}},
          {"overlap", std::round(overlap(s) * 100) / 100},
          {"model", c.model},
          {"device", c.device},
          {"devices", devices_json(s)},
          {"output_dir", c.output_dir},
          {"failures", failures}};
}

std::string progress_line(int done, int total, int failed, double elapsed_s, int width) {
  const double rate = elapsed_s > 0 ? done / elapsed_s : 0;
  const int percent = total > 0 ? done * 100 / total : 100;
  std::string tail = "  " + std::to_string(done) + "/" + std::to_string(total) + "  " + std::to_string(percent) +
                     "%  " + fixed(rate, rate < 10 ? 2 : 1) + " img/s  ETA " +
                     (rate > 0 ? format_duration((total - done) / rate) : std::string("--"));
  if (failed > 0) tail += "  " + std::to_string(failed) + " failed";
  const int bar = std::clamp(width - static_cast<int>(tail.size()) - 2, 0, 40);
  if (bar < 5) return tail.substr(2);
  const int filled = total > 0 ? static_cast<int>(static_cast<long long>(bar) * done / total) : bar;
  return "[" + std::string(filled, '#') + std::string(bar - filled, '.') + "]" + tail;
}

std::string human_summary(const RunSummary& s, const RunContext& c) {
  std::string out = std::to_string(s.ok) + " of " + std::to_string(s.total) + " image" + (s.total == 1 ? "" : "s") +
                    " written to " + c.output_dir;
  if (s.failed) out += ", " + std::to_string(s.failed) + " failed";
  if (s.not_run) out += ", " + std::to_string(s.not_run) + " not started";
  if (c.skipped_existing) out += " (" + std::to_string(c.skipped_existing) + " already done, skipped)";
  out += "\n";
  out += fixed(s.wall_ms / 1000, 1) + " s, " + fixed(images_per_s(s), 2) + " images/s, batch size " +
         std::to_string(c.batch_size) + "; device calls:";
  for (const auto& [size, n] : s.device_calls) out += " " + std::to_string(n) + "x" + std::to_string(size);
  if (s.device_calls.empty()) out += " none";
  out += "\n";
  out += "stage busy: decode " + fixed(s.decode_busy_ms / 1000, 1) + " s, device " + fixed(s.device_busy_ms / 1000, 1) +
         " s, encode " + fixed(s.encode_busy_ms / 1000, 1) + " s (overlap " + fixed(overlap(s), 2) + "x of wall time)\n";
  if (s.devices.size() > 1) {
    for (const DeviceStats& d : s.devices) {
      out += "  " + d.id + ": " + std::to_string(d.images) + " images, " +
             fixed(s.wall_ms > 0 ? d.images / (s.wall_ms / 1000) : 0, 2) + " images/s, busy " +
             fixed(d.busy_ms / 1000, 1) + " s";
      if (!d.retired.empty()) out += "; taken out of rotation: " + d.retired;
      out += "\n";
    }
  }
  if (!s.failures.empty()) {
    out += "failed:\n";
    for (const auto& f : s.failures) {
      // Most messages already start with the file they are about; do not say it twice.
      const std::string& m = f.status.message();
      out += "  " + (m.rfind(f.image->input, 0) == 0 ? m : f.image->input + ": " + m) + "\n";
    }
  }
  if (s.stopped) out += "interrupted: run again with --skip-existing to finish\n";
  return out;
}

}  // namespace toonbox::folder
