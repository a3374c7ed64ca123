#include "server/restore_routes.h"

#include "models/model_resolver.h"
#include "models/registry.h"
#include "pipeline/upscale/upscaler.h"
#include "server/api_errors.h"
#include "server/image_request.h"
#include "server/request_params.h"
#include "server/server.h"

namespace toonbox::server {

namespace {

// How a client picks a restorer, for the pipeline's "choose one with ..." messages.
constexpr const char* kModelParam =
    "the 'model' parameter (GET /api/v1/models lists them under 'restore')";

// The restorer's crops (in and out) for one device call of `batch` faces, on top of the
// image's own memory. The restorer's activations are not counted: they are unknown
// before its first run (GFPGAN-512's are a few hundred MB on the CPU).
size_t crop_bytes(int face_size, int batch) {
  return static_cast<size_t>(face_size) * face_size * 3 * sizeof(float) * 2 *
         static_cast<size_t>(batch);
}

struct RestoreParams {
  std::string model;  // "" = the one installed
  pipeline::RestoreOptions options;
  std::string precision = "auto";
  image::ImageFormat format = image::ImageFormat::kPng;
  int quality = 92;
};

Result<RestoreParams> restore_params(const Request& req) {
  TB_ASSIGN_OR_RETURN(Fields fields, request_fields(req));
  RestoreParams p;
  for (const auto& [name, value] : fields) {
    TB_ASSIGN_OR_RETURN(const bool common, parse_common_param(name, value, &p.model, &p.precision,
                                                              &p.format, &p.quality));
    if (common) {
      continue;
    } else if (name == "fidelity") {
      TB_ASSIGN_OR_RETURN(p.options.fidelity, number_param("fidelity", value, 0.f, 1.f));
    } else if (name == "upscale") {
      TB_ASSIGN_OR_RETURN(p.options.upscale, integer_param("upscale", value, 1, 4));
    } else if (name == "faces_only") {
      TB_ASSIGN_OR_RETURN(p.options.faces_only, boolean_param("faces_only", value));
    } else {
      return invalid_argument(
          "unknown parameter '" + name.substr(0, 40) +
          "' (known: model, fidelity, upscale, faces_only, precision, format, quality)");
    }
  }
  return p;
}

// upscale=N: the background through the upscale task's realesr-animevideov3-xN, as
// `toonbox restore --upscale N` does; not installed is the request's 404, naming it.
Result<std::shared_ptr<pipeline::Upscaler>> background_upscaler(
    UpscalerCache& cache, int scale, const engine::DeviceSelection& device) {
  auto up = cache.get("", scale, device);
  if (up.is_ok()) return up;
  TB_ASSIGN_OR_RETURN(const std::string name, pipeline::default_upscaler_name(scale));
  return Status(up.status().code(),
                "upscale=" + std::to_string(scale) +
                    " puts the background through the upscale task's " + name +
                    ", which this server cannot load: " + up.status().message());
}

std::string joined(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& n : notes) out += (out.empty() ? "" : "; ") + n;
  return out;
}

}  // namespace

Result<std::shared_ptr<pipeline::FaceRestorer>> RestorerCache::get(
    const std::string& name_in, const engine::DeviceSelection& device) {
  std::string name = name_in;
  if (name.empty()) {
    TB_ASSIGN_OR_RETURN(name, pipeline::default_face_restorer_name(kModelParam));
  }
  // Names only: a client must not make the server open files of its choice.
  auto installed = models::resolve_installed_model(name);
  if (!installed.is_ok())
    return not_found("no face restorer named '" + name +
                     "' is installed (GET /api/v1/models lists them under 'restore')");
  const auto key = std::make_pair(name, static_cast<int>(device.precision));
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = loaded_.find(key);
  if (it == loaded_.end()) {
    TB_ASSIGN_OR_RETURN(std::shared_ptr<pipeline::FaceRestorer> restorer,
                        pipeline::load_face_restorer(name, {}, device));
    it = loaded_.emplace(key, std::move(restorer)).first;
  }
  return it->second;
}

std::shared_ptr<const models::FaceRestoreContract> RestorerCache::loaded_contract(
    const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, restorer] : loaded_)
    if (key.first == name)
      return std::shared_ptr<const models::FaceRestoreContract>(restorer, &restorer->contract());
  return nullptr;
}

nlohmann::json RestoreRoutes::restorers_json(Server& s) {
  nlohmann::json models = nlohmann::json::array();
  auto installed = models::list_installed_models();
  if (installed.is_ok()) {
    for (const models::InstalledModel& m : installed.value()) {
      if (m.role != models::ModelRole::kFaceRestorer) continue;
      nlohmann::json j = {{"name", m.name}, {"description", m.description}, {"licence", m.licence}};
      // A loaded restorer's contract is what it is; before that, the registry entry its
      // file name stands for (what `models import` recognised), or nothing known.
      if (auto c = s.restorers_.loaded_contract(m.name)) {
        j.update({{"restorer", c->model},
                  {"non_commercial", c->non_commercial},
                  {"fidelity", !c->fidelity_input.empty()},
                  {"face_size", c->size}});
      } else if (const models::KnownFaceRestorer* k =
                     models::face_restorer_by_file_name(m.entry_path)) {
        j.update({{"restorer", k->name},
                  {"non_commercial", k->non_commercial},
                  {"fidelity", k->fidelity_input},
                  {"face_size", k->size}});
      } else {
        j.update({{"restorer", "unknown face restorer"},
                  {"non_commercial", nullptr},
                  {"fidelity", nullptr},
                  {"face_size", nullptr}});
      }
      models.push_back(j);
    }
  }
  nlohmann::json scales = nlohmann::json::array({1});
  for (int n = 2; n <= 4; ++n) {
    auto name = pipeline::default_upscaler_name(n);
    if (name.is_ok() && models::find_installed_model(name.value()).is_ok()) scales.push_back(n);
  }
  nlohmann::json j = {{"models", models},
                      {"upscale", scales},
                      {"min_face", pipeline::kMinRestoreFace},
                      {"detector", s.models_.face_detector(s.device_.precision).is_ok()}};
  if (!installed.is_ok()) j["error"] = installed.status().message();
  return j;
}

void RestoreRoutes::restore(Server& s, const Request& req, Response& res) {
  auto params = restore_params(req);
  if (!params.is_ok()) return set_error(res, params.status());
  const pipeline::RestoreOptions options = params->options;
  auto precision = s.models_.resolve_precision(params->precision);
  if (!precision.is_ok()) return set_error(res, precision.status());
  engine::DeviceSelection device = s.device_;
  device.precision = precision.value();

  pipeline::RestoreModels models;
  auto restorer = s.restorers_.get(params->model, device);
  if (!restorer.is_ok()) return set_error(res, restorer.status());
  models.restorer = restorer.value();
  std::shared_ptr<pipeline::Upscaler> upscaler;
  if (options.upscale > 1) {
    auto up = background_upscaler(s.upscalers_, options.upscale, device);
    if (!up.is_ok()) return set_error(res, up.status());
    upscaler = up.value();
    pipeline::UpscaleOptions tiles;
    tiles.tile_size = s.config_.scheduler.tile_size;  // bounds a large image's working memory
    models.upscale = [upscaler, tiles](const image::Image& in, int) {
      return upscaler->upscale(in, tiles);
    };
  }
  auto detector = s.models_.face_detector(precision.value());
  if (!detector.is_ok())
    return set_error(
        res, not_found("restoring faces needs a face detector: " + detector.status().message()));
  models.detector = detector.value();
  if (Status usable = pipeline::check_restore_options(models, options); !usable.is_ok())
    return set_error(res, usable);

  auto pipeline = std::make_shared<pipeline::RestorePipeline>(std::move(models));
  // Written by the device worker, read here once the item is finished.
  auto report = std::make_shared<pipeline::RestoreReport>();
  ImageTask task;
  task.stage.run = [pipeline, options, report](const image::Image& input,
                                               WorkOutcome* out) -> Status {
    TB_ASSIGN_OR_RETURN(out->image, pipeline->process(input, options, report.get()));
    out->faces = report->faces;
    out->notes = report->notes;
    out->detect_ms = report->detect_ms;
    out->heads_ms = report->restore_ms;  // Server-Timing's "heads": the restorer's calls
    out->pipeline_ms = report->total_ms;
    return Status::ok();
  };
  const models::FaceRestoreContract& c = restorer.value()->contract();
  task.on_result = [report, c](const WorkOutcome&, Response& r) {
    if (report->nothing_to_write) {
      // `restore --faces-only` writes nothing; the API has nothing to send.
      set_error(r, 422, "no_face",
                "no face restored (faces_only=true), so there is no image to return: " +
                    joined(report->notes) + " (" + std::to_string(report->detections.size()) +
                    " detected)");
      return false;
    }
    r.set_header("X-Toonbox-Faces-Found", std::to_string(report->detections.size()));
    r.set_header("X-Toonbox-Faces-Skipped", std::to_string(report->faces_skipped));
    r.set_header("X-Toonbox-Restorer", c.model);
    r.set_header("X-Toonbox-Licence",
                 c.licence);  // the registry's words say "non-commercial" where it applies
    return true;
  };
  task.model_name = restorer.value()->name();
  task.precision = precision.value();
  task.format = params->format;
  task.quality = params->quality;
  task.file_suffix =
      options.upscale > 1 ? "-restored-x" + std::to_string(options.upscale) : "-restored";
  task.mode = "restore";
  const int scale = options.upscale, tile = s.config_.scheduler.tile_size;
  const size_t crops = crop_bytes(c.size, options.batch);
  task.memory_bytes = [scale, tile, upscaler, crops](const image::ImageInfo& info) {
    // The paste canvas (floats at the output size) and the crops beside the image.
    return scaled_request_bytes(info, scale, tile,
                                upscaler ? upscaler->measured_bytes_per_pixel() : 0, 1) +
           crops;
  };
  const int64_t max_pixels = s.config_.max_pixels;
  task.check_output = [scale, max_pixels](int w, int h) {
    return check_scaled_output(w, h, scale, max_pixels);
  };
  ImageRequest::run(s, req, res, std::move(task));
}

}  // namespace toonbox::server
