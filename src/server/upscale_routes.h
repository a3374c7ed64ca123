// POST /api/v1/upscale: one image through the upscale pipeline (pipeline/upscale/), with
// the conventions, errors and limits of /api/v1/cartoonize (image_request.h). Parameters:
// model (an installed upscaler's name; default realesr-animevideov3-x{scale}), scale
// (2..4; must be the model's), tta, precision, format, quality.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "engine/device_select.h"
#include "pipeline/upscale/upscaler.h"
#include "server/http_message.h"

namespace toonbox::server {

class Server;

// Upscalers loaded by this server, one per (model name, precision), kept for its life
// (they are small: realesr-animevideov3 is 2.4 MB, Real-CUGAN 5 MB). Only the device
// worker runs them.
class UpscalerCache {
 public:
  Result<std::shared_ptr<pipeline::Upscaler>> get(const std::string& name, int scale,
                                                  const engine::DeviceSelection& device);

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::shared_ptr<pipeline::Upscaler>> loaded_;
};

class UpscaleRoutes {
 public:
  static void upscale(Server& s, const Request& req, Response& res);
};

}  // namespace toonbox::server
