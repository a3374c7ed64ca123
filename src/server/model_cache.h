// Models the server can run, loaded once and kept: one ModelRunner (and so one Session,
// with its executables compiled per input shape) per (model, precision). The device is
// fixed at start-up; precision is chosen per request.
//
// Clients name models; they never give paths. A name is "classic" (the built-in style),
// an installed model's name, or empty for the server's default (`serve --model`).
#pragma once

#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/device_select.h"
#include "pipeline/cartoon_pipeline.h"

namespace toonbox::server {

struct ModelInfo {
  std::string name;
  std::string description;
  std::string kind;     // "builtin" | "installed"
  std::string licence;  // "" for the built-in style
  bool is_default = false;
  bool loaded = false;  // in memory now (some precision)
};

class ModelCache {
 public:
  // `default_spec` is what `serve --model` got: "" picks the best installed model, else
  // the built-in style (as `toonbox cartoonize` does). At most `max_loaded` entries are
  // kept; the least recently used one (never the default) is dropped first.
  ModelCache(engine::DeviceSelection device, std::string default_spec, size_t max_loaded = 4);

  // Loads the default model. `note` gets a line for the user when a fallback was taken.
  Status load_default(std::string* note);
  const std::string& default_name() const { return default_name_; }

  // "auto" is the device's precision; "fp16" on a device without it is an error that
  // says so.
  Result<Precision> resolve_precision(const std::string& precision) const;

  Result<std::shared_ptr<pipeline::ModelRunner>> get(const std::string& name, Precision precision);

  // The face detector for portrait mode, loaded once per precision. A missing detector is
  // not cached (it may be installed while the server runs).
  Result<std::shared_ptr<detect::FaceDetector>> face_detector(Precision precision);

  // What the last face_detector(precision) call found, without loading anything or
  // waiting for a load in progress: ok when the detector is loaded, else the lookup's
  // error; nullopt when it was never looked up. For GET /api/v1/status, which is
  // answered on the event loop and so must not block.
  std::optional<Status> face_detector_known(Precision precision) const;

  Result<std::vector<ModelInfo>> list() const;
  const engine::DeviceSelection& device() const { return device_; }

 private:
  using Entry = std::shared_future<Result<std::shared_ptr<pipeline::ModelRunner>>>;
  Result<pipeline::ModelSource> load_source(const std::string& name) const;

  engine::DeviceSelection device_;
  std::string default_spec_;
  std::string default_name_;
  size_t max_loaded_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // "name|fp16" -> loading or loaded
  std::list<std::string> lru_;            // most recently used first
  std::mutex detector_mutex_;             // held while a detector loads (it is small)
  std::map<Precision, std::shared_ptr<detect::FaceDetector>> detectors_;
  mutable std::mutex known_mutex_;  // never held while loading
  std::map<Precision, Status> detector_known_;
};

}  // namespace toonbox::server
