#include "server/upscale_routes.h"

#include "models/model_resolver.h"
#include "server/api_errors.h"
#include "server/image_request.h"
#include "server/memory_budget.h"
#include "server/request_params.h"
#include "server/server.h"

namespace toonbox::server {

namespace {

struct UpscaleParams {
  std::string model;  // "" = the default for `scale`
  int scale = 0;      // 0 = the model's (x4 without a model)
  bool tta = false;
  std::string precision = "auto";
  image::ImageFormat format = image::ImageFormat::kPng;
  int quality = 92;
};

Result<UpscaleParams> upscale_params(const Request& req) {
  TB_ASSIGN_OR_RETURN(Fields fields, request_fields(req));
  UpscaleParams p;
  for (const auto& [name, value] : fields) {
    TB_ASSIGN_OR_RETURN(const bool common, parse_common_param(name, value, &p.model, &p.precision, &p.format, &p.quality));
    if (common) {
      continue;
    } else if (name == "scale") {
      TB_ASSIGN_OR_RETURN(p.scale, integer_param("scale", value, 2, 4));
    } else if (name == "tta") {
      TB_ASSIGN_OR_RETURN(p.tta, boolean_param("tta", value));
    } else {
      return invalid_argument("unknown parameter '" + name.substr(0, 40) +
                              "' (known: model, scale, tta, precision, format, quality)");
    }
  }
  return p;
}

}  // namespace

Result<std::shared_ptr<pipeline::Upscaler>> UpscalerCache::get(
    const std::string& name, int scale, const engine::DeviceSelection& device) {
  std::string model = name;
  if (model.empty()) {
    TB_ASSIGN_OR_RETURN(model, pipeline::default_upscaler_name(scale == 0 ? 4 : scale));
  }
  // Names only: a client must not make the server open files of its choice.
  TB_RETURN_IF_ERROR(models::resolve_installed_model(model).status());
  const auto key = std::make_pair(model, static_cast<int>(device.precision));
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = loaded_.find(key);
  if (it == loaded_.end()) {
    TB_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::Upscaler> up,
                        pipeline::load_upscaler(model, 0, "", device));
    it = loaded_.emplace(key, std::shared_ptr<pipeline::Upscaler>(std::move(up))).first;
  }
  if (scale != 0 && it->second->scale() != scale)
    return invalid_argument(model + " upscales x" + std::to_string(it->second->scale()) + ", not x" +
                            std::to_string(scale) + " (scale=" + std::to_string(scale) +
                            "): leave out model to get realesr-animevideov3-x" + std::to_string(scale));
  return it->second;
}

void UpscaleRoutes::upscale(Server& s, const Request& req, Response& res) {
  auto params = upscale_params(req);
  if (!params.is_ok()) return set_error(res, params.status());
  auto precision = s.models_.resolve_precision(params->precision);
  if (!precision.is_ok()) return set_error(res, precision.status());
  engine::DeviceSelection device = s.device_;
  device.precision = precision.value();
  auto upscaler = s.upscalers_.get(params->model, params->scale, device);
  if (!upscaler.is_ok()) return set_error(res, upscaler.status());
  const int scale = upscaler.value()->scale();

  ImageTask task;
  task.stage.upscaler = upscaler.value();
  task.stage.upscale.tta = params->tta;
  task.stage.precision = precision.value();
  // Bounds a large image's working memory, as for cartoonize.
  task.stage.upscale.tile_size = s.config_.scheduler.tile_size;
  task.model_name = upscaler.value()->name();
  task.precision = precision.value();
  task.format = params->format;
  task.quality = params->quality;
  task.file_suffix = "-x" + std::to_string(scale);
  const int tile = s.config_.scheduler.tile_size;
  const bool tta = params->tta;
  auto up = upscaler.value();
  // The float canvas the tiles blend into, and TTA's running sum.
  task.memory_bytes = [scale, tile, tta, up](const image::ImageInfo& info) {
    return scaled_request_bytes(info, scale, tile, up->measured_bytes_per_pixel(), tta ? 2 : 1);
  };
  const int64_t max_pixels = s.config_.max_pixels;
  task.check_output = [scale, max_pixels](int w, int h) { return check_scaled_output(w, h, scale, max_pixels); };
  ImageRequest::run(s, req, res, std::move(task));
}

}  // namespace toonbox::server
