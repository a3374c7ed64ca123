#include "server/metrics.h"

#include <algorithm>
#include <cstdio>

#include "server/process_metrics.h"

namespace toonbox::server {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

const std::vector<double> kLatencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                            1,     2.5,  5,     10,   30,  60,   120};

void render_counter_family(const std::string& name, const std::string& help,
                           const std::map<std::string, uint64_t>& values, std::string* out) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n";
  for (const auto& [labels, v] : values) *out += name + "{" + labels + "} " + std::to_string(v) + "\n";
}

void gauge(const std::string& name, const std::string& help, const std::string& labels,
           double v, std::string* out) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n";
  *out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(v) + "\n";
}

}  // namespace

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(bounds_.size(), 0) {}

void Histogram::observe(double v) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  if (it != bounds_.end()) ++buckets_[static_cast<size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += v;
}

void Histogram::render(const std::string& name, const std::string& labels, std::string* out) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i];
    *out += name + "_bucket{" + labels + sep + "le=\"" + number(bounds_[i]) + "\"} " +
            std::to_string(cumulative) + "\n";
  }
  *out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(count_) + "\n";
  const std::string l = labels.empty() ? "" : "{" + labels + "}";
  *out += name + "_sum" + l + " " + number(sum_) + "\n";
  *out += name + "_count" + l + " " + std::to_string(count_) + "\n";
}

Metrics::Metrics()
    : inference_seconds_(kLatencyBounds), batch_size_({1, 2, 3, 4, 6, 8, 12, 16, 32}) {}

void Metrics::record_request(const std::string& route, const std::string& method, int status,
                             double seconds) {
  const std::string route_labels = "route=\"" + escape_label(route) + "\"";
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[route_labels + ",method=\"" + escape_label(method) + "\",code=\"" +
              std::to_string(status) + "\""];
  request_seconds_.try_emplace(route_labels, kLatencyBounds).first->second.observe(seconds);
}

void Metrics::record_image(const std::string& model, const std::string& outcome, double inference_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++images_["model=\"" + escape_label(model) + "\",outcome=\"" + escape_label(outcome) + "\""];
  if (outcome == "ok") inference_seconds_.observe(inference_s);
}

void Metrics::record_batch(int size) {
  std::lock_guard<std::mutex> lock(mutex_);
  batch_size_.observe(size);
}

void Metrics::record_dropped(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++dropped_["reason=\"" + escape_label(reason) + "\""];
}

void Metrics::record_rejected(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++rejected_["reason=\"" + escape_label(reason) + "\""];
}

std::string Metrics::render(const MetricsGauges& g) const {
  std::string out;
  render_build_info(&out);
  render_process_metrics(read_process_stats(), &out);
  std::vector<MetricsGauges::Device> devices = g.devices;
  if (devices.empty()) devices.push_back({g.device_id, g.device_label, g.device_kind, g.precision, true, g.running});
  auto label_of = [](const std::string& id) { return "device=\"" + escape_label(id) + "\""; };
  // One series per device worker; the queue is shared, so its gauges carry the list.
  const std::string queue = label_of(g.queue_device.empty() ? g.device_id : g.queue_device);
  out += "# HELP toonbox_device_info The devices this server runs models on (value is always 1).\n"
         "# TYPE toonbox_device_info gauge\n";
  for (const auto& d : devices)
    out += "toonbox_device_info{" + label_of(d.id) + ",kind=\"" + escape_label(d.kind) + "\",label=\"" +
           escape_label(d.label) + "\",precision=\"" + escape_label(d.precision) + "\",batching=\"batched\"} 1\n";
  gauge("toonbox_ready", "1 when the server accepts work (0 while starting, draining, or with no device in rotation).",
        "", g.ready ? 1 : 0, &out);
  gauge("toonbox_queue_depth", "Images waiting in the device queue.", queue, g.queue_depth, &out);
  gauge("toonbox_queue_capacity", "Size of the device queue; when full, requests get 429.", queue,
        g.queue_capacity, &out);
  auto per_device = [&](const std::string& name, const std::string& type, const std::string& help, auto value) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& d : devices) out += name + "{" + label_of(d.id) + "} " + number(value(d)) + "\n";
  };
  per_device("toonbox_images_running", "gauge", "Images taken by the device worker and not finished.",
             [](const MetricsGauges::Device& d) { return d.running; });
  per_device("toonbox_device_in_rotation", "gauge",
             "1 while the device takes work; 0 once it failed and was taken out of rotation.",
             [](const MetricsGauges::Device& d) { return d.in_rotation ? 1 : 0; });
  out += "# HELP toonbox_device_images_total Images each device worker finished, by outcome (ok, error).\n"
         "# TYPE toonbox_device_images_total counter\n";
  for (const auto& d : devices) {
    out += "toonbox_device_images_total{" + label_of(d.id) + ",outcome=\"ok\"} " + std::to_string(d.images_ok) + "\n";
    out += "toonbox_device_images_total{" + label_of(d.id) + ",outcome=\"error\"} " +
           std::to_string(d.images_failed) + "\n";
  }
  per_device("toonbox_device_retried_elsewhere_total", "counter",
             "Images a device failed (lost, out of memory, a device error) and handed to another device.",
             [](const MetricsGauges::Device& d) { return static_cast<double>(d.retried_elsewhere); });
  per_device("toonbox_device_busy_seconds_total", "counter",
             "Time each device worker spent in device calls; its rate is the device's utilisation.",
             [](const MetricsGauges::Device& d) { return d.busy_s; });
  gauge("toonbox_jobs_active", "Jobs with images not yet finished.", "", g.jobs_active, &out);
  gauge("toonbox_jobs_stored", "Jobs kept in memory (active and finished).", "", g.jobs_stored, &out);

  out += "# HELP toonbox_gpu_memory_used_bytes GPU memory in use (NVML), all processes.\n"
         "# TYPE toonbox_gpu_memory_used_bytes gauge\n";
  if (g.gpus.empty() && !g.gpu_memory_note.empty()) {
    std::string note = g.gpu_memory_note;
    std::replace(note.begin(), note.end(), '\n', ' ');
    out += "# " + note + "\n";
  }
  for (const auto& gpu : g.gpus)
    out += "toonbox_gpu_memory_used_bytes{gpu=\"" + escape_label(gpu.index) + "\",name=\"" +
           escape_label(gpu.name) + "\"} " + std::to_string(gpu.used) + "\n";
  out += "# HELP toonbox_gpu_memory_total_bytes GPU memory size (NVML).\n"
         "# TYPE toonbox_gpu_memory_total_bytes gauge\n";
  for (const auto& gpu : g.gpus)
    out += "toonbox_gpu_memory_total_bytes{gpu=\"" + escape_label(gpu.index) + "\",name=\"" +
           escape_label(gpu.name) + "\"} " + std::to_string(gpu.total) + "\n";

  std::lock_guard<std::mutex> lock(mutex_);
  render_counter_family("toonbox_http_requests_total", "HTTP requests by route template, method and status.",
                        requests_, &out);
  out += "# HELP toonbox_http_request_duration_seconds Time from the request's routing to the response.\n"
         "# TYPE toonbox_http_request_duration_seconds histogram\n";
  for (const auto& [labels, h] : request_seconds_)
    h.render("toonbox_http_request_duration_seconds", labels, &out);
  render_counter_family("toonbox_images_processed_total",
                        "Images the device worker ran, by model and outcome (ok, error, out_of_memory).",
                        images_, &out);
  out += "# HELP toonbox_inference_duration_seconds Model run time per image (upload, compute, download).\n"
         "# TYPE toonbox_inference_duration_seconds histogram\n";
  inference_seconds_.render("toonbox_inference_duration_seconds", "", &out);
  out += "# HELP toonbox_batch_size Images per device call: same model and shape, stacked into "
         "one [N,H,W,3] batch.\n# TYPE toonbox_batch_size histogram\n";
  batch_size_.render("toonbox_batch_size", "", &out);
  render_counter_family("toonbox_work_dropped_total",
                        "Images dropped before running: client disconnected, timed out, cancelled, shutdown.",
                        dropped_, &out);
  render_counter_family("toonbox_requests_rejected_total",
                        "Requests refused before queueing: queue full (429), over a limit, shutting down.",
                        rejected_, &out);
  return out;
}

}  // namespace toonbox::server
