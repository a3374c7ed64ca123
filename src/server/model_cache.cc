#include "server/model_cache.h"

#include <algorithm>
#include <filesystem>

#include "models/model_resolver.h"
#include "models/registry.h"
#include "pipeline/builtin_style.h"
#include "pipeline/model_loader.h"

namespace toonbox::server {

ModelCache::ModelCache(engine::DeviceSelection device, std::string default_spec, size_t max_loaded)
    : device_(std::move(device)), default_spec_(std::move(default_spec)), max_loaded_(max_loaded) {}

Status ModelCache::load_default(std::string* note) {
  TB_ASSIGN_OR_RETURN(pipeline::ModelSource source,
                      pipeline::load_model_source(default_spec_, note));
  default_name_ = source.name;
  const std::string key = default_name_ + "|" + precision_name(device_.precision);
  engine::DeviceSelection sel = device_;
  std::promise<Result<std::shared_ptr<pipeline::ModelRunner>>> ready;
  ready.set_value(std::make_shared<pipeline::ModelRunner>(std::move(source), sel));
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key] = ready.get_future().share();
  lru_.push_front(key);
  return Status::ok();
}

Result<Precision> ModelCache::resolve_precision(const std::string& precision) const {
  if (precision == "auto" || precision.empty()) return device_.precision;
  const std::optional<Precision> p = precision_from_name(precision);
  if (!p) return invalid_argument("precision must be auto, fp32, tf32 or fp16, got '" + precision + "'");
  if (!device_.backend->supports(*p)) {
    return invalid_argument("precision " + precision + " is not available on this server's device (" +
                            device_.backend->device().id + (device_.is_gpu ? "" : ": the CPU computes in fp32") +
                            ")");
  }
  return *p;
}

namespace {

// A model's load error without the server's folders in it: clients see the model's name
// and what is wrong, not where the server keeps its files.
Status without_server_paths(const Status& s, const std::string& model_dir) {
  std::string m = s.message();
  for (const std::string& dir : {model_dir, models::models_dir()}) {
    if (dir.empty()) continue;
    for (size_t pos; (pos = m.find(dir)) != std::string::npos;) m.replace(pos, dir.size(), "<models folder>");
  }
  return Status(s.code(), m);
}

}  // namespace

Result<pipeline::ModelSource> ModelCache::load_source(const std::string& name) const {
  if (name == models::kBuiltinStyleName || name == "builtin")
    return pipeline::load_model_source(models::kBuiltinStyleName, nullptr);
  if (name == default_name_) return pipeline::load_model_source(default_spec_, nullptr);
  // By installed name only: a client's string never becomes a path.
  auto installed = models::resolve_installed_model(name);
  if (!installed.is_ok()) {
    return not_found("no model named '" + name + "' is installed (GET /api/v1/models lists them)");
  }
  auto loaded = pipeline::model_source_from(installed.value());
  if (!loaded.is_ok())
    return without_server_paths(loaded.status(), std::filesystem::path(installed->entry_path).parent_path().string());
  return loaded;
}

Result<std::shared_ptr<pipeline::ModelRunner>> ModelCache::get(const std::string& name_in,
                                                               Precision precision) {
  const std::string name = name_in.empty()
                               ? default_name_
                               : (name_in == "builtin" ? models::kBuiltinStyleName : name_in);
  const std::string key = name + "|" + precision_name(precision);
  std::promise<Result<std::shared_ptr<pipeline::ModelRunner>>> promise;
  Entry entry;
  bool load_here = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      entry = promise.get_future().share();
      entries_.emplace(key, entry);
      load_here = true;
    } else {
      entry = it->second;
    }
    lru_.remove(key);
    lru_.push_front(key);
  }
  if (load_here) {
    // Loading (a TF.js import) happens outside the lock; others asking for the same key
    // wait on the future instead of loading it twice.
    auto source = load_source(name);
    if (!source.is_ok()) {
      // A model that is not a cartoon model (another ONNX image model, say) is the
      // request's mistake: 400. A broken model file is the server's problem: 500.
      const Status& s = source.status();
      if (s.code() == StatusCode::kNotFound) {
        promise.set_value(s);
      } else if (s.code() == StatusCode::kInvalidArgument) {
        promise.set_value(invalid_argument("model '" + name + "' cannot cartoonize: " + s.message()));
      } else {
        promise.set_value(internal_error("model '" + name + "' could not be loaded: " + s.message()));
      }
    } else {
      engine::DeviceSelection sel = device_;
      sel.precision = precision;
      promise.set_value(std::make_shared<pipeline::ModelRunner>(std::move(source).value(), sel));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!entry.get().is_ok()) {
      entries_.erase(key);  // failures are not cached: the model may be installed later
      lru_.remove(key);
    }
    const std::string default_key = default_name_ + "|" + precision_name(device_.precision);
    while (entries_.size() > max_loaded_) {
      auto victim = std::find_if(lru_.rbegin(), lru_.rend(),
                                 [&](const std::string& k) { return k != default_key && k != key; });
      if (victim == lru_.rend()) break;
      entries_.erase(*victim);  // in-flight work keeps its ModelRunner alive (shared_ptr)
      lru_.erase(std::next(victim).base());
    }
  }
  return entry.get();
}

Result<std::shared_ptr<detect::FaceDetector>> ModelCache::face_detector(Precision precision) {
  std::lock_guard<std::mutex> lock(detector_mutex_);
  auto it = detectors_.find(precision);
  if (it != detectors_.end()) return it->second;
  engine::DeviceSelection sel = device_;
  sel.precision = precision;
  Result<std::shared_ptr<detect::FaceDetector>> detector = pipeline::load_installed_face_detector(sel);
  {
    std::lock_guard<std::mutex> known(known_mutex_);
    detector_known_[precision] = detector.status();
  }
  if (detector.is_ok()) detectors_.emplace(precision, detector.value());
  return detector;
}

std::optional<Status> ModelCache::face_detector_known(Precision precision) const {
  std::lock_guard<std::mutex> lock(known_mutex_);
  auto it = detector_known_.find(precision);
  if (it == detector_known_.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<ModelInfo>> ModelCache::list() const {
  std::vector<ModelInfo> out;
  auto loaded = [&](const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [key, e] : entries_)
      if (key.substr(0, key.rfind('|')) == name) return true;
    return false;
  };
  ModelInfo classic;
  classic.name = models::kBuiltinStyleName;
  classic.description = "built-in classic cartoon filter (no weights)";
  classic.kind = "builtin";
  classic.is_default = default_name_ == models::kBuiltinStyleName;
  classic.loaded = loaded(classic.name);
  out.push_back(classic);
  TB_ASSIGN_OR_RETURN(std::vector<models::InstalledModel> installed,
                      models::list_installed_models());
  for (const models::InstalledModel& m : installed) {
    if (m.role != models::ModelRole::kStyle)
      continue;  // detectors serve portrait mode, they are not styles
    ModelInfo info;
    info.name = m.name;
    info.description = m.description;
    info.kind = "installed";
    info.licence = m.licence;
    info.is_default = m.name == default_name_;
    info.loaded = loaded(m.name);
    out.push_back(info);
  }
  if (std::none_of(out.begin(), out.end(), [](const ModelInfo& m) { return m.is_default; })) {
    // `serve --model PATH`: the default is a model folder given by the operator.
    ModelInfo info;
    info.name = default_name_;
    info.description = "the server's default model (serve --model)";
    info.kind = "path";
    info.is_default = true;
    info.loaded = true;
    out.insert(out.begin(), info);
  }
  return out;
}

}  // namespace toonbox::server
