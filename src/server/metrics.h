// Prometheus text-format metrics (exposition format 0.0.4), written by hand: a few
// counters and histograms with small, fixed label sets. Routes are recorded by their
// template ("/api/v1/jobs/{id}"), never by raw path, so label cardinality stays bounded.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace toonbox::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  // Appends `name_bucket{labels,le=".."}`, `name_sum{labels}`, `name_count{labels}`.
  void render(const std::string& name, const std::string& labels, std::string* out) const;
  uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> buckets_;  // per bound, not cumulative; cumulated when rendered
  uint64_t count_ = 0;
  double sum_ = 0;
};

// Values read at scrape time from the parts that own them.
struct MetricsGauges {
  std::string device_id;      // "cpu", "cuda:0"
  std::string device_label;
  std::string device_kind;    // "gpu" | "cpu"
  std::string precision;      // the server's default precision
  std::string queue_device;   // the queue's label: the device, or the devices joined by ','
  int queue_depth = 0;
  int queue_capacity = 0;
  int running = 0;
  int jobs_active = 0;
  int jobs_stored = 0;
  bool ready = false;
  // One per device worker (`serve --device cpu,cpu`: two); empty: the single device above.
  struct Device {
    std::string id, label, kind, precision;
    bool in_rotation = true;
    int running = 0;
    uint64_t images_ok = 0, images_failed = 0, retried_elsewhere = 0;
    double busy_s = 0;
  };
  std::vector<Device> devices;
  struct Gpu {
    std::string index, name;
    uint64_t used = 0, total = 0;
  };
  std::vector<Gpu> gpus;        // from NVML; empty where there is none
  std::string gpu_memory_note;  // why gpus is empty, as a comment line
};

class Metrics {
 public:
  Metrics();
  void record_request(const std::string& route, const std::string& method, int status,
                      double seconds);
  // outcome: "ok", "error", "out_of_memory"
  void record_image(const std::string& model, const std::string& outcome, double inference_s);
  void record_batch(int size);
  // reason: "client_disconnected", "timeout", "cancelled", "shutdown"
  void record_dropped(const std::string& reason);
  // reason: "queue_full", "too_large", "shutting_down"
  void record_rejected(const std::string& reason);

  std::string render(const MetricsGauges& gauges) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> requests_;  // labels -> count
  std::map<std::string, Histogram> request_seconds_;  // route labels -> histogram
  std::map<std::string, uint64_t> images_;
  Histogram inference_seconds_;
  Histogram batch_size_;
  std::map<std::string, uint64_t> dropped_;
  std::map<std::string, uint64_t> rejected_;
};

// Escapes a label value: backslash, double quote and newline.
std::string escape_label(const std::string& value);

}  // namespace toonbox::server
