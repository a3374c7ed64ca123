// POST /api/v1/restore: one image through face restoration (pipeline/restore/), with the
// conventions, errors and limits of /api/v1/cartoonize (image_request.h). Parameters:
// model (an installed face restorer's name; default: the one installed), fidelity
// (CodeFormer's weight, 0..1), upscale (1..4: the background through the upscale task's
// realesr-animevideov3-xN), faces_only, precision, format, quality. The face count comes
// back in X-Toonbox-Faces; with faces_only and no face restored the answer is a 422.
// docs/http-api.md#face-restoration.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/device_select.h"
#include "pipeline/restore/restore_pipeline.h"
#include "server/http_message.h"

namespace toonbox::server {

class Server;

// Face restorers loaded by this server, one per (installed name, precision), kept for its
// life. Only the device worker runs them.
class RestorerCache {
 public:
  // `name` "" = the one installed restorer (an error naming them when there are several).
  Result<std::shared_ptr<pipeline::FaceRestorer>> get(const std::string& name,
                                                      const engine::DeviceSelection& device);
  // The contract of `name` when it is loaded at some precision, else null.
  std::shared_ptr<const models::FaceRestoreContract> loaded_contract(const std::string& name);

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::shared_ptr<pipeline::FaceRestorer>> loaded_;
};

class RestoreRoutes {
 public:
  static void restore(Server& s, const Request& req, Response& res);
  // GET /api/v1/models's "restore" object: the installed restorers (name, licence,
  // non-commercial, fidelity input, face size) and the upscale factors the background can
  // take (those whose realesr-animevideov3-xN is installed).
  static nlohmann::json restorers_json(Server& s);
};

}  // namespace toonbox::server
