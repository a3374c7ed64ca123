// `toonbox serve`: the HTTP server. Wires the parts together: the connection layer
// (http_server.h), security checks (security.h), the device queue (device_scheduler.h),
// models (model_cache.h), jobs (jobs.h) and metrics; routes are in server_routes.cc.
// The API is documented in docs/http-api.md and docs/openapi.json.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/device_select.h"
#include "server/device_scheduler.h"
#include "server/http_server.h"
#include "server/jobs.h"
#include "server/memory_budget.h"
#include "server/metrics.h"
#include "server/model_cache.h"
#include "server/restore_routes.h"
#include "server/upscale_routes.h"

namespace toonbox::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 7860;                  // 0 picks a free port (see Server::port())
  std::string token;                // when set, API routes need it (Bearer or cookie)
  std::string requested_device = "auto";  // what --device said, for the status line
  std::string default_model;        // `serve --model`; "" = best installed, else classic
  size_t max_body_bytes = 50u << 20;  // 50 MiB
  int64_t max_pixels = 50'000'000;
  // Memory admission (memory_budget.h): one request's estimated peak at most, and all
  // requests' together (0: half of MemAvailable, at most 8 GiB, at least one request's).
  size_t max_request_bytes = size_t{1536} << 20;
  size_t memory_budget_bytes = 0;
  int request_timeout_s = 120;      // a single-image request, queue wait included
  int http_threads = 64;             // handler threads (they wait on the device queue)
  ConnectionLimits connection;
  SchedulerOptions scheduler;
  JobOptions jobs;
  // TOONBOX_TEST_DEVICE_FAULTS rules (engine/device_faults.h) for the device workers; "" none.
  std::string device_faults;
};

class Server;
using RouteHandler = void (*)(Server&, const Request&, Response&);

// One route of the API, for registration, metrics labels and the OpenAPI drift test.
struct RouteInfo {
  const char* method;
  const char* path;   // OpenAPI template: "/api/v1/jobs/{id}"
  const char* regex;  // what the request path must match (groups go to req.matches)
  bool needs_token;   // when the server has a token
  bool does_work;     // refuses cross-site requests and is closed while draining
  RouteHandler handler;
};
const std::vector<RouteInfo>& server_routes();

class Server {
 public:
  Server(ServerConfig config, engine::DeviceSelection device);
  // One device worker per entry (`--device cuda:0,1`, `cpu,cpu`), each with its own
  // models, compiled plans and upscalers, all taking from one queue. Requests are checked
  // and their models resolved on the first device; the others load their own copies.
  Server(ServerConfig config, std::vector<engine::DeviceSelection> devices);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the default model, binds the port and serves from a background thread.
  // `note` receives a line for the user when the default model was a fallback.
  Status start(std::string* note = nullptr);
  int port() const { return port_; }
  std::string url() const;

  // Drains: /health/ready turns 503 and new work is refused with 503, the requests being
  // handled finish and get their responses, running images finish, job images that
  // have not started are cancelled; then every thread is joined. Idempotent.
  void shutdown();
  // Blocks until shutdown() has finished (from another thread).
  void wait();

  bool ready() const { return ready_.load() && !draining_.load() && scheduler_->live_devices() > 0; }
  // "GPU: active — NVIDIA H200 (sm_90, 139 GiB), fp16" or "CPU: fallback — <reason>"; with
  // several devices, "N devices, one queue" (device_lines() has one line each).
  std::string status_line() const;
  std::vector<std::string> device_lines() const;

  Metrics& metrics() { return metrics_; }
  // Client connections open now (for tests and the soak tool).
  int open_connections() const { return http_ ? http_->open_connections() : 0; }
  DeviceScheduler& scheduler() { return *scheduler_; }

 private:
  friend class Routes;
  friend class InpaintRoutes;
  friend class ImageRequest;
  friend class UpscaleRoutes;
  friend class RestoreRoutes;
  using Clock = std::chrono::steady_clock;

  // On the event loop, before the body: the checks that can refuse a request from its
  // head alone (true: `res` is the answer).
  bool pre_route(const Request& req, Response& res);
  // The route's handler, or the 404; on a worker thread (or the loop, for cheap routes).
  void route(Request& req, Response& res);
  bool authorized(const Request& req) const;
  // The 429 for a full device queue (with Retry-After; the connection closes).
  void queue_full(Response& res);
  MetricsGauges gauges();

  // A device after the first: its own caches, so its own loaded models and plans.
  struct OtherDevice {
    OtherDevice(engine::DeviceSelection d, const std::string& default_model)
        : device(d), models(d, default_model) {}
    engine::DeviceSelection device;
    ModelCache models;
    UpscalerCache upscalers;
  };
  // Worker k's binding of an item resolved on the first device (device_scheduler.h).
  static Result<BoundWork> bind_to(OtherDevice& other, const WorkItem& item);
  // The answer when no device is in rotation any more.
  void no_device(Response& res, const std::string& last_error = "");
  // /api/v1/status's and /health/ready's view of each device.
  nlohmann::json devices_json();

  ServerConfig config_;
  engine::DeviceSelection device_;  // the first device: requests are resolved on its caches
  Metrics metrics_;
  ModelCache models_;
  UpscalerCache upscalers_;
  RestorerCache restorers_;
  std::vector<std::unique_ptr<OtherDevice>> others_;
  std::vector<engine::DeviceSelection> devices_;  // all of them, in --device order
  std::vector<std::string> device_ids_;   // "cpu", or "cpu#1", "cpu#2"
  Status config_error_;                   // a bad fault rule, reported by start()
  std::unique_ptr<MemoryBudget> memory_;
  std::unique_ptr<DeviceScheduler> scheduler_;
  std::unique_ptr<JobManager> jobs_;
  std::unique_ptr<HttpServer> http_;
  int port_ = 0;
  bool loopback_ = true;
  std::atomic<bool> ready_{false};
  std::atomic<bool> draining_{false};
  std::once_flag shutdown_once_;
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  Clock::time_point started_ = Clock::now();

  // GPU memory for /metrics, from NVML, refreshed at most every few seconds.
  std::mutex gpu_mutex_;
  Clock::time_point gpu_checked_{};
  std::vector<MetricsGauges::Gpu> gpus_;
  std::string gpu_note_;
  // The doctor's report, computed on first request and kept for a minute.
  std::mutex doctor_mutex_;
  Clock::time_point doctor_at_{};
  std::string doctor_json_, doctor_text_;
};

}  // namespace toonbox::server
