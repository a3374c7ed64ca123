// The HTTP routes. Each handler is a static function of Routes (a friend of Server):
// parse and check the request, hand work to the scheduler or the job manager, answer.
#include <cstdio>
#include <map>
#include <mutex>

#include "core/sha256.h"
#include "core/timing.h"
#include "doctor/doctor.h"
#include "doctor/report_format.h"
#include "image/image.h"
#include "image/image_io.h"
#include "server/api_errors.h"
#include "server/embedded_files.h"
#include "server/image_ops.h"
#include "server/inpaint_routes.h"
#include "server/image_request.h"
#include "server/request_params.h"
#include "server/restore_routes.h"
#include "server/results_zip.h"
#include "server/security.h"
#include "server/server.h"
#include "server/upscale_routes.h"

namespace toonbox::server {

namespace {

using Clock = std::chrono::steady_clock;

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* content_type_for(const std::string& name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

// Static files from the binary, with an ETag so browsers revalidate cheaply.
void serve_embedded(const Request& req, Response& res, const std::string& name) {
  const EmbeddedFile* f = find_embedded_file(name);
  if (!f) {
    set_error(res, 404, "not_found", name + " is not built into this binary");
    return;
  }
  static std::mutex mutex;
  static std::map<std::string, std::string> etags;
  std::string etag;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = etags.find(name);
    if (it == etags.end()) {
      Sha256 h;
      h.update(f->data, f->size);
      it = etags.emplace(name, "\"" + h.hex_digest().substr(0, 16) + "\"").first;
    }
    etag = it->second;
  }
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "no-cache");
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  res.set_content(f->data ? reinterpret_cast<const char*>(f->data) : "", f->size, content_type_for(name));
}

void send_json(Response& res, const nlohmann::json& j, int status = 200) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json_text(j), "application/json");
}

// The request's parameters: query parameters first, then form fields (which override
// them). File fields and parts with a file name are not parameters.
Result<CartoonizeParams> request_params(const Request& req) {
  TB_ASSIGN_OR_RETURN(Fields fields, request_fields(req));
  return parse_cartoonize_params(fields);
}

std::string device_state(const engine::DeviceSelection& d, const std::string& requested) {
  if (d.is_gpu) return "active";
  return requested == "cpu" ? "requested" : "fallback";
}

}  // namespace

// What a request runs on: its precision, its model at that precision, its pipeline stage.
struct RequestModel {
  Precision precision = Precision::kFloat32;
  std::shared_ptr<pipeline::ModelRunner> runner;
  PipelineStage stage;
};

class Routes {
 public:
  // The pipeline's options for a request, and portrait mode's detector: none for
  // mode=whole; for portrait, a missing detector is the request's error (404 saying how to
  // install one); auto runs whole.
  static Result<PipelineStage> pipeline_stage(Server& s, const CartoonizeParams& params, Precision precision) {
    PipelineStage stage;
    stage.precision = precision;
    TB_ASSIGN_OR_RETURN(stage.options.mode, pipeline::parse_cartoon_mode(params.mode));
    stage.options.long_side = params.long_side;
    stage.options.strength = params.strength;
    stage.options.resolution = params.resolution;
    if (stage.options.mode == pipeline::CartoonMode::kWhole) return stage;
    auto detector = s.models_.face_detector(precision);
    if (detector.is_ok()) {
      stage.detector = std::move(detector).value();
    } else if (stage.options.mode == pipeline::CartoonMode::kPortrait) {
      return detector.status();
    } else {
      stage.detector_missing = detector.status().message();
    }
    return stage;
  }

  // The precision, model (loaded at most once, then cached) and pipeline stage a request
  // names, for single images and jobs alike.
  static Result<RequestModel> request_model(Server& s, const CartoonizeParams& params) {
    RequestModel m;
    TB_ASSIGN_OR_RETURN(m.precision, s.models_.resolve_precision(params.precision));
    TB_ASSIGN_OR_RETURN(m.runner, s.models_.get(params.model, m.precision));
    TB_ASSIGN_OR_RETURN(m.stage, pipeline_stage(s, params, m.precision));
    return m;
  }

  static void index(Server& s, const Request& req, Response& res) {
    if (req.has_param("token")) {
      // Visiting /?token=... once sets a cookie and drops the token from the address bar.
      if (s.config_.token.empty() || constant_time_equals(req.get_param_value("token"), s.config_.token)) {
        if (!s.config_.token.empty())
          res.set_header("Set-Cookie", "toonbox_token=" + s.config_.token + "; HttpOnly; SameSite=Strict; Path=/");
        res.set_redirect("/", 303);
        return;
      }
      set_error(res, 401, "unauthorized", "wrong access token in the address");
      return;
    }
    serve_embedded(req, res, "index.html");
  }

  static void status(Server& s, const Request&, Response& res) {
    const backend::DeviceDescription& d = s.device_.backend->device();
    // Answered on the event loop, so it must not load anything: the detector was looked up
    // at start (Server::start), and a portrait request retries a missing one.
    const std::optional<Status> portrait = s.models_.face_detector_known(s.device_.precision);
    const bool portrait_ok = portrait && portrait->is_ok();
    const std::string portrait_reason = portrait ? portrait->message() : "the face detector has not been looked up yet";
    nlohmann::json precisions = nlohmann::json::array({"fp32"});
    if (s.device_.backend->supports(Precision::kTf32)) precisions.push_back("tf32");
    if (s.device_.backend->supports(Precision::kFloat16)) precisions.push_back("fp16");
    nlohmann::json device = {{"id", d.id},
                             {"kind", s.device_.is_gpu ? "gpu" : "cpu"},
                             {"label", d.label},
                             {"state", device_state(s.device_, s.config_.requested_device)},
                             {"reason", s.device_.reason},
                             {"requested", s.config_.requested_device},
                             {"precision", precision_name(s.device_.precision)},
                             {"precisions", precisions},
                             {"summary", s.device_.summary()}};
    if (d.memory_total) device["memory_total_bytes"] = d.memory_total;
    const auto& so = s.scheduler_->options();
    nlohmann::json j = {
        {"version", TOONBOX_VERSION},
        {"ready", s.ready()},
        {"draining", s.draining_.load()},
        {"status_line", s.status_line()},
        {"device", device},
        {"devices", s.devices_json()},
        {"devices_in_rotation", s.scheduler_->live_devices()},
        {"default_model", s.models_.default_name()},
        {"queue",
         {{"depth", s.scheduler_->depth()},
          {"capacity", s.scheduler_->capacity()},
          {"running", s.scheduler_->running()},
          {"max_batch", so.max_batch},
          {"max_wait_ms", so.max_wait_ms},
          {"batching", "batched"}}},
        {"jobs",
         {{"active", s.jobs_->active_jobs()},
          {"stored", s.jobs_->stored_jobs()},
          {"max_images_per_job", s.jobs_->options().max_images_per_job},
          {"max_active", s.jobs_->options().max_active_jobs}}},
        {"limits",
         {{"max_body_bytes", s.config_.max_body_bytes},
          {"max_pixels", s.config_.max_pixels},
          {"max_long_side", kMaxLongSide},
          {"request_timeout_s", s.config_.request_timeout_s}}},
        {"modes", {{"whole", true}, {"auto", true}, {"portrait", portrait_ok}}},
        {"portrait", portrait_ok ? nlohmann::json{{"available", true}}
                                 : nlohmann::json{{"available", false}, {"reason", portrait_reason}}},
        {"auth", {{"token_required", !s.config_.token.empty()}}},
        {"doctor_url", "/doctor"},
        {"uptime_s", std::chrono::duration<double>(Clock::now() - s.started_).count()}};
    send_json(res, j);
  }

  static void models(Server& s, const Request&, Response& res) {
    auto list = s.models_.list();
    if (!list.is_ok()) return set_error(res, list.status());
    nlohmann::json models = nlohmann::json::array();
    for (const ModelInfo& m : list.value()) {
      models.push_back({{"name", m.name},
                        {"description", m.description},
                        {"kind", m.kind},
                        {"licence", m.licence},
                        {"default", m.is_default},
                        {"loaded", m.loaded}});
    }
    send_json(res, {{"default", s.models_.default_name()}, {"models", models}, {"restore", RestoreRoutes::restorers_json(s)}});
  }

  static void cartoonize(Server& s, const Request& req, Response& res) {
    auto params = request_params(req);
    if (!params.is_ok()) return set_error(res, params.status());
    // Model and precision (a model is loaded at most once, then cached).
    auto model = request_model(s, params.value());
    if (!model.is_ok()) return set_error(res, model.status());
    ImageTask task;
    task.runner = model->runner;
    task.stage = std::move(model->stage);
    task.model_name = model->runner->model().name;
    task.precision = model->precision;
    task.format = params->format;
    task.quality = params->quality;
    task.file_suffix = "-toon";
    const CartoonizeParams p = params.value();
    const int tile = s.config_.scheduler.tile_size;
    task.memory_bytes = [p, runner = model->runner, tile](const image::ImageInfo& info) {
      return request_memory_bytes(info, p, *runner, tile);
    };
    const int64_t max_pixels = s.config_.max_pixels;
    task.check_output = [p, max_pixels](int w, int h) { return check_output_size(w, h, p, max_pixels); };
    ImageRequest::run(s, req, res, std::move(task));
  }

  static void create_job(Server& s, const Request& req, Response& res) {
    if (s.scheduler_->live_devices() == 0) return s.no_device(res);
    if (!req.is_multipart_form_data())
      return set_error(res, invalid_argument("send the images as multipart/form-data, in fields named 'images'"));
    auto params = request_params(req);
    if (!params.is_ok()) return set_error(res, params.status());
    auto model = request_model(s, params.value());
    if (!model.is_ok()) return set_error(res, model.status());
    std::vector<Upload> uploads;
    for (const auto& [name, part] : req.files) {
      if (name == "images" || name == "image") uploads.push_back({part.filename, part.content});
    }
    bool busy = false;
    auto id = s.jobs_->create(params.value(), model->runner, std::move(model->stage), std::move(uploads), &busy);
    if (busy) {
      s.metrics_.record_rejected("queue_full");
      ImageRequest::close_connection(res);
      res.set_header("Retry-After", std::to_string(s.scheduler_->retry_after_s()));
      return set_error(res, 429, "busy", id.status().message());
    }
    if (!id.is_ok()) return set_error(res, id.status());
    const std::string url = "/api/v1/jobs/" + id.value();
    res.set_header("Location", url);
    auto j = s.jobs_->describe(id.value(), url);
    send_json(res, j ? *j : nlohmann::json{{"id", id.value()}}, 202);
  }

  static void get_job(Server& s, const Request& req, Response& res) {
    const std::string id = req.matches[1];
    auto j = s.jobs_->describe(id, "/api/v1/jobs/" + id);
    if (!j) return set_error(res, 404, "not_found", "no job '" + id + "' (finished jobs are forgotten after a while)");
    send_json(res, *j);
  }

  static void delete_job(Server& s, const Request& req, Response& res) {
    const std::string id = req.matches[1];
    if (!s.jobs_->cancel(id)) return set_error(res, 404, "not_found", "no job '" + id + "'");
    auto j = s.jobs_->describe(id, "/api/v1/jobs/" + id);
    send_json(res, j ? *j : nlohmann::json{{"id", id}});
  }

  static void job_result(Server& s, const Request& req, Response& res) {
    const std::string id = req.matches[1];
    const size_t index = std::stoul(req.matches[2]);
    auto file = s.jobs_->result(id, index);
    if (!file.is_ok()) return set_error(res, file.status());
    res.set_header("Content-Disposition", "attachment; filename=\"" + file->filename + "\"");
    res.set_header("Cache-Control", "no-store");
    res.set_content(reinterpret_cast<const char*>(file->bytes.data()), file->bytes.size(), file->mime);
  }

  // GET /api/v1/jobs/{id}/results.zip: every finished image of the job.
  static void job_results_zip(Server& s, const Request& req, Response& res) {
    send_results_zip(s, res, {{req.matches[1], JobManager::kAllResults}});
  }

  // GET /api/v1/results.zip?items=JOB:INDEX,JOB:INDEX,...: chosen results of several jobs
  // (the page's "Download all" after re-runs and several chunks).
  static void results_zip(Server& s, const Request& req, Response& res) {
    auto wanted = parse_zip_items(req.get_param_value("items"));
    if (!wanted.is_ok()) return set_error(res, wanted.status());
    send_results_zip(s, res, wanted.value());
  }

  static void live(Server&, const Request&, Response& res) {
    send_json(res, {{"status", "live"}});
  }

  static void ready(Server& s, const Request&, Response& res) {
    if (s.draining_.load()) return send_json(res, {{"status", "draining"}}, 503);
    if (!s.ready_.load()) return send_json(res, {{"status", "starting"}}, 503);
    if (s.scheduler_->live_devices() == 0)
      return send_json(res, {{"status", "no device in rotation"}, {"devices", s.devices_json()}}, 503);
    if (!s.scheduler_->worker_alive())
      return send_json(res, {{"status", "device worker stopped"}}, 503);
    send_json(res, {{"status", "ready"},
                    {"device", s.device_.backend->device().id},
                    {"devices_in_rotation", s.scheduler_->live_devices()}});
  }

  static void metrics(Server& s, const Request&, Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(s.metrics_.render(s.gauges()), "text/plain; version=0.0.4; charset=utf-8");
  }

  static void app_js(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "app.js");
  }
  static void inpaint_js(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "inpaint.js");
  }
  static void upscale_js(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "upscale.js");
  }
  static void restore_js(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "restore.js");
  }
  static void store_js(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "store.js");
  }
  static void results_js(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "results.js");
  }
  static void examples_js(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "examples.js");
  }
  static void style_css(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "style.css");
  }

  static void openapi(Server&, const Request& req, Response& res) {
    serve_embedded(req, res, "openapi.json");
  }

  static void doctor_json(Server& s, const Request&, Response& res) {
    refresh_doctor(s);
    std::lock_guard<std::mutex> lock(s.doctor_mutex_);
    res.set_header("Cache-Control", "no-store");
    res.set_content(s.doctor_json_, "application/json");
  }

  static void doctor_page(Server& s, const Request&, Response& res) {
    refresh_doctor(s);
    std::lock_guard<std::mutex> lock(s.doctor_mutex_);
    res.set_header("Cache-Control", "no-store");
    res.set_content("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<title>toonbox doctor</title><link rel=\"stylesheet\" href=\"/style.css\">"
                    "<link rel=\"icon\" href=\"data:,\"></head><body class=\"doctor\">"
                    "<h1>toonbox doctor</h1><p>This server: " + html_escape(s.status_line()) +
                    "</p><pre>" + html_escape(s.doctor_text_) +
                    "</pre><p><a href=\"/api/v1/doctor\">JSON</a> · <a href=\"/\">back</a></p></body></html>",
                    "text/html; charset=utf-8");
  }

 private:
  static constexpr size_t kMaxZipItems = 256;

  // "JOB:INDEX,..." with JOB a job id (hex, up to 64) and INDEX a number, at most
  // kMaxZipItems of them.
  static Result<std::vector<std::pair<std::string, size_t>>> parse_zip_items(const std::string& text) {
    std::vector<std::pair<std::string, size_t>> out;
    if (text.empty()) return invalid_argument("name the results: items=JOB_ID:INDEX,JOB_ID:INDEX,...");
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = std::min(text.find(',', start), text.size());
      const std::string one = text.substr(start, comma - start);
      const size_t colon = one.find(':');
      const std::string id = one.substr(0, colon);
      const std::string index = colon == std::string::npos ? "" : one.substr(colon + 1);
      const bool id_ok = !id.empty() && id.size() <= 64 &&
                         id.find_first_not_of("0123456789abcdef") == std::string::npos;
      const bool index_ok = !index.empty() && index.size() <= 6 &&
                            index.find_first_not_of("0123456789") == std::string::npos;
      if (!id_ok || !index_ok)
        return invalid_argument("items: '" + one.substr(0, 80) + "' is not JOB_ID:INDEX (a job id in hex, an image number)");
      out.emplace_back(id, std::stoul(index));
      if (out.size() > kMaxZipItems)
        return resource_exhausted("items: at most " + std::to_string(kMaxZipItems) + " results in one zip");
      start = comma + 1;
    }
    return out;
  }

  // The zip of `wanted`, built in memory (the HTTP server sends whole bodies): about twice
  // the results' bytes at the peak, reserved from the memory budget like an image
  // request's, so a big zip waits (429) instead of exhausting the machine.
  static void send_results_zip(Server& s, Response& res, const std::vector<std::pair<std::string, size_t>>& wanted) {
    auto refs = s.jobs_->finished_results(wanted);
    if (!refs.is_ok()) return set_error(res, refs.status());
    const size_t need = 2 * refs->bytes + (size_t{1} << 20);
    if (need > s.config_.max_request_bytes) {
      s.metrics_.record_rejected("too_large");
      return set_error(res, resource_exhausted(
                                "these results are " + human_bytes(static_cast<double>(refs->bytes)) +
                                "; a zip of them needs about " + human_bytes(static_cast<double>(need)) +
                                ", over the server's per-request memory limit of " +
                                human_bytes(static_cast<double>(s.config_.max_request_bytes)) +
                                ": download fewer at once (GET /api/v1/results.zip?items=...)"));
    }
    MemoryBudget::Reservation memory = s.memory_->try_reserve(need);
    if (!memory) {
      s.metrics_.record_rejected("memory_busy");
      res.set_header("Retry-After", std::to_string(s.scheduler_->retry_after_s()));
      return set_error(res, 429, "memory_busy",
                       "the server's memory budget is taken by the requests in progress; the zip needs about " +
                           human_bytes(static_cast<double>(need)) + ". Retry in a moment");
    }
    auto zip = build_results_zip(std::move(refs->entries));
    if (!zip.is_ok()) return set_error(res, zip.status());
    res.set_header("Content-Disposition", "attachment; filename=\"toonbox-results.zip\"");
    res.set_header("Cache-Control", "no-store");
    res.body = std::move(zip).value();
    res.set_header("Content-Type", "application/zip");
  }

  // The doctor runs real checks (libraries, a GPU smoke test), so its report is kept for
  // a minute rather than recomputed for every page view.
  static void refresh_doctor(Server& s) {
    std::lock_guard<std::mutex> lock(s.doctor_mutex_);
    if (!s.doctor_json_.empty() && Clock::now() - s.doctor_at_ < std::chrono::seconds(60)) return;
    doctor::DoctorEnvironment env = doctor::DoctorEnvironment::from_process();
    const doctor::DoctorReport report = doctor::run_doctor(env);
    s.doctor_json_ = json_text(doctor::render_json(report));
    s.doctor_text_ = doctor::render_text(report, false);
    s.doctor_at_ = Clock::now();
  }
};

const std::vector<RouteInfo>& server_routes() {
  static const std::vector<RouteInfo> kRoutes = {
      // method, OpenAPI path, regex, needs token, does work, handler
      {"GET", "/", "/", false, false, Routes::index},
      {"GET", "/app.js", "/app\\.js", false, false, Routes::app_js},
      {"GET", "/style.css", "/style\\.css", false, false, Routes::style_css},
      {"GET", "/inpaint.js", "/inpaint\\.js", false, false, Routes::inpaint_js},
      {"GET", "/upscale.js", "/upscale\\.js", false, false, Routes::upscale_js},
      {"GET", "/restore.js", "/restore\\.js", false, false, Routes::restore_js},
      {"GET", "/store.js", "/store\\.js", false, false, Routes::store_js},
      {"GET", "/results.js", "/results\\.js", false, false, Routes::results_js},
      {"GET", "/examples.js", "/examples\\.js", false, false, Routes::examples_js},
      {"GET", "/doctor", "/doctor", true, false, Routes::doctor_page},
      {"GET", "/health/live", "/health/live", false, false, Routes::live},
      {"GET", "/health/ready", "/health/ready", false, false, Routes::ready},
      {"GET", "/metrics", "/metrics", true, false, Routes::metrics},
      {"GET", "/api/v1/openapi.json", "/api/v1/openapi\\.json", false, false, Routes::openapi},
      {"GET", "/api/v1/status", "/api/v1/status", true, false, Routes::status},
      {"GET", "/api/v1/models", "/api/v1/models", true, false, Routes::models},
      {"GET", "/api/v1/doctor", "/api/v1/doctor", true, false, Routes::doctor_json},
      {"POST", "/api/v1/cartoonize", "/api/v1/cartoonize", true, true, Routes::cartoonize},
      {"POST", "/api/v1/upscale", "/api/v1/upscale", true, true, UpscaleRoutes::upscale},
      {"POST", "/api/v1/restore", "/api/v1/restore", true, true, RestoreRoutes::restore},
      {"POST", "/api/v1/jobs", "/api/v1/jobs", true, true, Routes::create_job},
      {"POST", "/api/v1/inpaint", "/api/v1/inpaint", true, true, InpaintRoutes::inpaint},
      {"GET", "/api/v1/jobs/{id}", "/api/v1/jobs/([0-9a-f]{1,64})", true, false, Routes::get_job},
      {"DELETE", "/api/v1/jobs/{id}", "/api/v1/jobs/([0-9a-f]{1,64})", true, true, Routes::delete_job},
      {"GET", "/api/v1/jobs/{id}/results.zip", "/api/v1/jobs/([0-9a-f]{1,64})/results\\.zip", true, false,
       Routes::job_results_zip},
      {"GET", "/api/v1/results.zip", "/api/v1/results\\.zip", true, false, Routes::results_zip},
      {"GET", "/api/v1/jobs/{id}/results/{index}",
       "/api/v1/jobs/([0-9a-f]{1,64})/results/([0-9]{1,6})", true, false, Routes::job_result},
  };
  return kRoutes;
}

}  // namespace toonbox::server
