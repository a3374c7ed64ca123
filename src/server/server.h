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

#include "engine/device_select.h"
#include "server/device_scheduler.h"
#include "server/http_server.h"
#include "server/jobs.h"
#include "server/metrics.h"
#include "server/model_cache.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace toonbox::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 7860;                  // 0 picks a free port (see Server::port())
  std::string token;                // when set, API routes need it (Bearer or cookie)
  std::string requested_device = "auto";  // what --device said, for the status line
  std::string default_model;        // `serve --model`; "" = best installed, else classic
  size_t max_body_bytes = 50u << 20;  // 50 MiB
  int64_t max_pixels = 50'000'000;
  int request_timeout_s = 120;      // a single-image request, queue wait included
  int http_threads = 32;
  ConnectionLimits connection;
  SchedulerOptions scheduler;
  JobOptions jobs;
};

class Server;
using RouteHandler = void (*)(Server&, const httplib::Request&, httplib::Response&);

// One route of the API, for registration, metrics labels and the OpenAPI drift test.
struct RouteInfo {
  const char* method;
  const char* path;   // OpenAPI template: "/api/v1/jobs/{id}"
  const char* regex;  // what cpp-httplib matches
  bool needs_token;   // when the server has a token
  bool does_work;     // refuses cross-site requests and is closed while draining
  RouteHandler handler;
};
const std::vector<RouteInfo>& server_routes();

class Server {
 public:
  Server(ServerConfig config, DeviceSelection device);
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

  bool ready() const { return ready_.load() && !draining_.load(); }
  // "GPU: active — NVIDIA H200 (sm_90, 139 GiB), fp16" or "CPU: fallback — <reason>".
  std::string status_line() const;

  Metrics& metrics() { return metrics_; }
  DeviceScheduler& scheduler() { return *scheduler_; }

 private:
  friend class Routes;
  using Clock = std::chrono::steady_clock;

  httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res);
  void register_routes();
  bool authorized(const httplib::Request& req) const;
  MetricsGauges gauges();

  ServerConfig config_;
  DeviceSelection device_;
  Metrics metrics_;
  ModelCache models_;
  std::unique_ptr<DeviceScheduler> scheduler_;
  std::unique_ptr<JobManager> jobs_;
  std::unique_ptr<HttpServer> http_;
  std::thread listener_;
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
