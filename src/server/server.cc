#include "server/server.h"

#include <regex>
#include <set>

#include "doctor/nvml_probe.h"
#include "engine/device_list.h"
#include "server/api_errors.h"
#include "server/security.h"

namespace toonbox::server {

namespace {

// The route a request matched, for metrics labels and the checks in pre_route; `groups`
// receives the regex's groups ([0] is the whole path).
const RouteInfo* find_route(const std::string& method, const std::string& path,
                            std::vector<std::string>* groups = nullptr) {
  static const std::vector<std::regex> kPatterns = [] {
    std::vector<std::regex> v;
    for (const RouteInfo& r : server_routes()) v.emplace_back(r.regex);
    return v;
  }();
  const std::string m = method == "HEAD" ? "GET" : method;
  const auto& routes = server_routes();
  std::smatch match;
  for (size_t i = 0; i < routes.size(); ++i) {
    if (m != routes[i].method || !std::regex_match(path, match, kPatterns[i])) continue;
    if (groups) {
      groups->clear();
      for (const auto& g : match) groups->push_back(g.str());
    }
    return &routes[i];
  }
  return nullptr;
}

// Routes cheap enough to answer on the event loop: whatever the workers are doing, a
// health probe or the page's files are answered at once.
bool runs_on_event_loop(const RouteInfo* route) {
  // The page polls /api/v1/status; it reads counters and cached state only (the face
  // detector was looked up at start), so it stays answered when every request thread is
  // busy: measured on the H200 before, 64 clients posting images got it a 429 "busy".
  static const std::set<std::string> kCheap = {"/health/live", "/health/ready", "/", "/app.js", "/style.css",
                                               "/api/v1/openapi.json", "/api/v1/status"};
  return route && std::string(route->method) == "GET" && kCheap.count(route->path) > 0;
}

bool refuse(Response& res, int status, const std::string& code, const std::string& message) {
  set_error(res, status, code, message);
  // The body (if any) has not been read; it must not be taken for the next request.
  res.set_header("Connection", "close");
  HttpServer::close_after_response();
  return true;
}

std::string mib(size_t bytes) {
  const double m = bytes / 1048576.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, m == static_cast<int64_t>(m) ? "%.0f MiB" : "%.1f MiB", m);
  return buf;
}

}  // namespace

Server::Server(ServerConfig config, engine::DeviceSelection device)
    : Server(std::move(config), std::vector<engine::DeviceSelection>{std::move(device)}) {}

Server::Server(ServerConfig config, std::vector<engine::DeviceSelection> devices)
    : config_(std::move(config)),
      device_(devices.at(0)),
      models_(device_, config_.default_model),
      devices_(devices) {
  std::vector<std::string> backend_ids;
  for (const engine::DeviceSelection& d : devices_) backend_ids.push_back(d.backend->device().id);
  device_ids_ = engine::device_worker_ids(backend_ids);
  std::vector<SchedulerDevice> workers = {{device_ids_[0], nullptr}};
  for (size_t k = 1; k < devices_.size(); ++k) {
    others_.push_back(std::make_unique<OtherDevice>(devices_[k], config_.default_model));
    OtherDevice* other = others_.back().get();
    workers.push_back({device_ids_[k], [other](const WorkItem& item) { return bind_to(*other, item); }});
  }
  auto faults = engine::DeviceFaults::parse(config_.device_faults, device_ids_);
  if (!faults.is_ok()) config_error_ = faults.status();
  // The user is told at once which device left the rotation and what that means.
  auto told = config_.scheduler.on_device_retired;
  config_.scheduler.on_device_retired = [told](const std::string& id, const std::string& why,
                                               int left) {
    std::fprintf(
        stderr, "toonbox serve: %s taken out of rotation: %s; %s\n", id.c_str(), why.c_str(),
        engine::rotation_tail(left, "requests",
                              "the server is not ready (/health/ready 503) until restarted")
            .c_str());
    std::fflush(stderr);
    if (told) told(id, why, left);
  };
  loopback_ = is_loopback_host(config_.host);
  config_.jobs.max_pixels = config_.max_pixels;
  size_t budget = config_.memory_budget_bytes ? config_.memory_budget_bytes : default_memory_budget(size_t{8} << 30);
  memory_ = std::make_unique<MemoryBudget>(std::max(budget, config_.max_request_bytes));
  config_.jobs.memory = memory_.get();
  config_.jobs.max_request_bytes = config_.max_request_bytes;
  config_.jobs.tile_size = config_.scheduler.tile_size;
  scheduler_ = std::make_unique<DeviceScheduler>(
      std::move(workers), config_.scheduler, &metrics_,
      faults.is_ok() ? std::move(faults).value() : engine::DeviceFaults{});
  // Job images may take part of the queue, never all of it; a batch's worth per device.
  const int per_devices = config_.scheduler.max_batch * static_cast<int>(devices_.size());
  config_.jobs.max_in_flight =
      std::max(1, std::min(per_devices, std::max(1, config_.scheduler.queue_capacity / 2)));
  jobs_ = std::make_unique<JobManager>(scheduler_.get(), &metrics_, config_.jobs);
}

Server::~Server() { shutdown(); }

std::string Server::url() const {
  const std::string host = config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
  return "http://" + host + ":" + std::to_string(port_) + "/";
}

std::string Server::status_line() const {
  // Streams of one GPU (--streams) are one device with several workers.
  if (engine::devices_summary(devices_).find("; ") != std::string::npos)
    return std::to_string(devices_.size()) + " device workers (--device " + config_.requested_device + "), one queue";
  const backend::DeviceDescription& d = device_.backend->device();
  const std::string precision = precision_name(device_.precision);
  const std::string streams = devices_.size() > 1 ? ", " + std::to_string(devices_.size()) + " streams" : "";
  if (device_.is_gpu) return "GPU: active — " + d.label + ", " + precision + streams;
  if (config_.requested_device == "cpu") return "CPU: requested (--device cpu) — " + d.label + ", " + precision;
  return "CPU: fallback — " + device_.reason;
}

std::vector<std::string> Server::device_lines() const {
  std::vector<std::string> lines;
  for (size_t k = 0; k < devices_.size(); ++k) lines.push_back(device_ids_[k] + ": " + devices_[k].summary());
  return lines;
}

Result<BoundWork> Server::bind_to(OtherDevice& other, const WorkItem& item) {
  BoundWork bound{nullptr, item.stage()};
  // The request was resolved on the first device at its precision; a device without it
  // (the CPU next to a GPU: fp16 is the GPU's default) runs at its own rather than refuse
  // every such request (X-Toonbox-Device says which device ran it). Measured on the H200
  // with --device cuda:0,cpu before this: every request the CPU took failed with 501.
  const Precision asked = item.stage().precision;
  const Precision precision = other.device.backend->supports(asked) ? asked : other.device.precision;
  if (item.model()) {
    TB_ASSIGN_OR_RETURN(bound.model, other.models.get(item.model()->model().name, precision));
  }
  if (bound.stage.detector) {
    TB_ASSIGN_OR_RETURN(bound.stage.detector, other.models.face_detector(precision));
  }
  bound.stage.precision = precision;
  if (bound.stage.upscaler) {
    engine::DeviceSelection device = other.device;
    device.precision = precision;
    TB_ASSIGN_OR_RETURN(bound.stage.upscaler,
                        other.upscalers.get(bound.stage.upscaler->name(), bound.stage.upscaler->scale(), device));
  }
  return bound;
}

void Server::no_device(Response& res, const std::string& last_error) {
  metrics_.record_rejected("no_device");
  std::string why;
  for (const DeviceWorkerReport& d : scheduler_->device_reports())
    why += (why.empty() ? "" : "; ") + d.id + ": " + (d.retired.empty() ? "in rotation" : d.retired);
  res.set_header("Retry-After", "5");
  set_error(res, 503, "no_device",
            "no device of this server is in rotation (" + why + ")" +
                (last_error.empty() ? "" : "; this image's last error: " + last_error) +
                ". Restart the server, or send the request to another replica");
}

nlohmann::json Server::devices_json() {
  nlohmann::json list = nlohmann::json::array();
  const auto reports = scheduler_->device_reports();
  for (size_t k = 0; k < reports.size() && k < devices_.size(); ++k) {
    const DeviceWorkerReport& r = reports[k];
    nlohmann::json d = {{"id", r.id},
                        {"kind", devices_[k].is_gpu ? "gpu" : "cpu"},
                        {"label", devices_[k].backend->device().label},
                        {"state", r.in_rotation ? "in_rotation" : "retired"},
                        {"running", r.running},
                        {"images_ok", r.images_ok},
                        {"images_failed", r.images_failed},
                        {"retried_elsewhere", r.retried_elsewhere},
                        {"busy_s", r.busy_s}};
    if (!r.in_rotation) d["retired_reason"] = r.retired;
    list.push_back(std::move(d));
  }
  return list;
}

bool Server::authorized(const Request& req) const {
  if (config_.token.empty()) return true;
  const std::string bearer = bearer_token(req.get_header_value("Authorization"));
  if (!bearer.empty()) return constant_time_equals(bearer, config_.token);
  return constant_time_equals(cookie_value(req.get_header_value("Cookie"), "toonbox_token"), config_.token);
}

void Server::queue_full(Response& res) {
  metrics_.record_rejected("queue_full");
  // A client told to come back later should not hold a connection meanwhile.
  res.set_header("Connection", "close");
  HttpServer::close_after_response();
  const int after = scheduler_->retry_after_s();
  res.set_header("Retry-After", std::to_string(after));
  set_error(res, 429, "queue_full",
            "the server is busy: " + std::to_string(scheduler_->capacity()) +
                " images are already waiting; retry in about " + std::to_string(after) + " s");
}

bool Server::pre_route(const Request& req, Response& res) {
  const std::string host_header = req.get_header_value("Host");
  if (loopback_ && !host_header.empty() && !is_loopback_host(host_header_name(host_header))) {
    // DNS rebinding: a page from evil.example whose name now resolves to 127.0.0.1 would
    // otherwise be "same-origin" with this server.
    return refuse(res, 403, "forbidden_host",
                  "Host '" + host_header.substr(0, 100) +
                      "' is not allowed: this server listens on a loopback address and answers "
                      "only to localhost / 127.0.0.1 / [::1]");
  }
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && encoding != "identity") {
    // Inflating it would need a limit on the inflated size; images do not compress anyway.
    return refuse(res, 415, "unsupported_encoding",
                  "compressed request bodies (Content-Encoding: " + encoding.substr(0, 40) +
                      ") are not accepted; send the image file as it is");
  }
  const bool has_body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  if (req.has_header("Transfer-Encoding") && req.method != "GET" && req.method != "HEAD") {
    return refuse(res, 411, "length_required",
                  "send the body with a Content-Length header (chunked uploads are not accepted)");
  }
  if (req.has_header("Content-Length")) {
    const std::string len_text = req.get_header_value("Content-Length");
    char* end = nullptr;
    const unsigned long long len = std::strtoull(len_text.c_str(), &end, 10);
    if (len_text.empty() || *end != '\0') return refuse(res, 400, "bad_request", "malformed Content-Length");
    if (len > config_.max_body_bytes) {
      metrics_.record_rejected("too_large");
      return refuse(res, 413, "too_large",
                    "the request body is " + mib(len) + ", over the server's limit of " +
                        mib(config_.max_body_bytes) + " (toonbox serve --max-body-mb)");
    }
    if (!has_body_method && req.method != "DELETE" && len > 0) HttpServer::close_after_response();
  } else if (has_body_method) {
    return refuse(res, 411, "length_required", "send the body with a Content-Length header");
  }

  const RouteInfo* route = find_route(req.method, req.path);
  if (!route) return false;  // the body is read, then 404
  if (route->needs_token && !authorized(req)) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"toonbox\"");
    return refuse(res, 401, "unauthorized",
                  "this server needs its access token: send 'Authorization: Bearer <token>', or "
                  "open the address printed by `toonbox serve` (it ends in /?token=...) in the "
                  "browser once");
  }
  if (route->does_work) {
    const std::string why = cross_site_refusal(req.get_header_value("Sec-Fetch-Site"),
                                               req.get_header_value("Origin"), host_header);
    if (!why.empty()) return refuse(res, 403, "cross_site", why);
    if (req.get_header_value("Content-Type").starts_with("application/x-www-form-urlencoded")) {
      // The image would be taken for form text.
      return refuse(res, 415, "unsupported_media_type",
                    "send the image as multipart/form-data (field 'image') or as the raw body with "
                    "Content-Type image/png, image/jpeg, image/webp or application/octet-stream "
                    "(curl sends form-urlencoded with --data-binary unless told: add -H 'Content-Type: "
                    "application/octet-stream')");
    }
    if (draining_.load()) {
      metrics_.record_rejected("shutting_down");
      res.set_header("Retry-After", "5");
      return refuse(res, 503, "shutting_down", "the server is shutting down and takes no new work");
    }
    // Admission before the body is read: with the device queue full, a single-image
    // request is answered 429 at once instead of after its upload.
    if (std::string(route->path) == "/api/v1/cartoonize" && scheduler_->live_devices() == 0) {
      no_device(res);
      res.set_header("Connection", "close");
      HttpServer::close_after_response();
      return true;
    }
    if (std::string(route->path) == "/api/v1/cartoonize" && !scheduler_->has_room(1)) {
      queue_full(res);
      return true;
    }
  }
  return false;
}

void Server::route(Request& req, Response& res) {
  const RouteInfo* route = find_route(req.method, req.path, &req.matches);
  if (!route) {
    set_error(res, 404, "not_found",
              "no such endpoint: " + req.method + " " + req.path.substr(0, 200) + " (see /api/v1/openapi.json)");
    return;
  }
  try {
    route->handler(*this, req, res);
  } catch (const std::bad_alloc&) {
    res = Response{};
    set_error(res, 503, "out_of_memory", "the server ran out of memory for this request");
  } catch (const std::exception& e) {
    res = Response{};
    set_error(res, 500, "internal", std::string("internal error: ") + e.what());
  }
}

Status Server::start(std::string* note) {
  TB_RETURN_IF_ERROR(config_error_);
  TB_RETURN_IF_ERROR(models_.load_default(note));
  for (auto& other : others_) TB_RETURN_IF_ERROR(other->models.load_default(nullptr));
  // Portrait mode's detector, looked up now so that GET /api/v1/status (answered on the
  // event loop) can say whether portrait mode works without loading it there. A missing
  // one is not an error: whole-image mode works without it.
  (void)models_.face_detector(device_.precision);

  // Security headers on every response; the page loads nothing from elsewhere.
  Headers defaults = {
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'"},
  };
  HttpServer::Handlers handlers;
  handlers.on_head = [this](const Request& req, Response& res) { return pre_route(req, res); };
  handlers.runs_inline = [](const Request& req) { return runs_on_event_loop(find_route(req.method, req.path)); };
  handlers.handle = [this](Request& req, Response& res) { route(req, res); };
  handlers.log = [this](const Request& req, const Response& res, double seconds) {
    const RouteInfo* route = req.method.empty() ? nullptr : find_route(req.method, req.path);
    metrics_.record_request(route ? route->path : "other", req.method.empty() ? "-" : req.method, res.status,
                            seconds);
  };
  http_ = std::make_unique<HttpServer>(config_.connection, std::max(4, config_.http_threads), config_.max_body_bytes,
                                       std::move(defaults), std::move(handlers));
  auto port = http_->listen(config_.host, config_.port);
  if (!port.is_ok()) {
    return unavailable("cannot listen on " + config_.host + ":" + std::to_string(config_.port) + " (" +
                       port.status().message() + "; is another server using the port?)");
  }
  port_ = port.value();
  http_->start();
  ready_.store(true);
  return Status::ok();
}

void Server::shutdown() {
  std::call_once(shutdown_once_, [this] {
    draining_.store(true);
    // Job images not started are cancelled; the one running finishes.
    jobs_->shutdown();
    // Stop accepting; close idle connections; handlers in progress finish (their work is
    // still run by the scheduler, which is drained after them).
    if (http_) {
      http_->begin_drain();
      http_->stop();  // returns when every request being handled has been answered
    }
    scheduler_->drain();
    {
      std::lock_guard<std::mutex> lock(done_mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
  });
}

void Server::wait() {
  std::unique_lock<std::mutex> lock(done_mutex_);
  done_cv_.wait(lock, [&] { return done_; });
}

MetricsGauges Server::gauges() {
  MetricsGauges g;
  const backend::DeviceDescription& d = device_.backend->device();
  g.device_id = d.id;
  g.device_label = d.label;
  g.device_kind = device_.is_gpu ? "gpu" : "cpu";
  g.precision = precision_name(device_.precision);
  g.queue_device = scheduler_->device_id();
  g.queue_depth = scheduler_->depth();
  g.queue_capacity = scheduler_->capacity();
  g.running = scheduler_->running();
  g.jobs_active = jobs_->active_jobs();
  g.jobs_stored = jobs_->stored_jobs();
  g.ready = ready();
  const auto reports = scheduler_->device_reports();
  for (size_t k = 0; k < reports.size() && k < devices_.size(); ++k) {
    MetricsGauges::Device d;
    d.id = reports[k].id;
    d.label = devices_[k].backend->device().label;
    d.kind = devices_[k].is_gpu ? "gpu" : "cpu";
    d.precision = precision_name(devices_[k].precision);
    d.in_rotation = reports[k].in_rotation;
    d.running = reports[k].running;
    d.images_ok = reports[k].images_ok;
    d.images_failed = reports[k].images_failed;
    d.retried_elsewhere = reports[k].retried_elsewhere;
    d.busy_s = reports[k].busy_s;
    g.devices.push_back(std::move(d));
  }
  std::lock_guard<std::mutex> lock(gpu_mutex_);
  if (Clock::now() - gpu_checked_ > std::chrono::seconds(5)) {
    gpu_checked_ = Clock::now();
    gpus_.clear();
    doctor::NvmlFacts nvml = doctor::probe_nvml(doctor::LibrarySearchPath{});
    if (!nvml.initialized) {
      gpu_note_ = "no GPU memory figures: NVML unavailable (" + nvml.error + ")";
    } else {
      gpu_note_ = nvml.devices.empty() ? "no GPU memory figures: NVML sees no GPU" : "";
      for (const auto& dev : nvml.devices) {
        if (!dev.memory_known) continue;
        gpus_.push_back({std::to_string(dev.index), dev.name, dev.memory_total - dev.memory_free,
                         dev.memory_total});
      }
    }
  }
  g.gpus = gpus_;
  g.gpu_memory_note = gpu_note_;
  return g;
}

}  // namespace toonbox::server
