#include "pipeline/cartoon_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/timing.h"
#include "import/onnx/onnx_importer.h"
#include "models/registry.h"
#include "pipeline/face_align.h"
#include "pipeline/finishing.h"
#include "pipeline/model_loader.h"

namespace toonbox {

namespace {

// The detector sees the image scaled so its long side is at most this. YuNet's stride-8
// level finds faces down to ~10 px: the Solvay 1927 photo (1328 px, ~29 faces of 25-40
// px) gives the same 29 faces at 960 and 1280 and 30 at 640, so 960 leaves room for
// larger group photos at about half the cost of 1280 (YuNet on the CPU: ~0.3-0.6 s).
constexpr int kDetectMaxSide = 960;

// More heads than this in one image are left to the whole-frame pass (the largest are
// kept): it bounds the time of a crowd photo at a few batches of crops.
constexpr int kMaxHeads = 64;

float box_area(const detect::Face& f) { return std::max(0.f, f.x2 - f.x1) * std::max(0.f, f.y2 - f.y1); }

bool usable_face(const detect::Face& f) {
  if (!(std::isfinite(f.x1) && std::isfinite(f.y1) && std::isfinite(f.x2) && std::isfinite(f.y2))) return false;
  for (float v : f.landmarks)
    if (!std::isfinite(v)) return false;
  return std::min(f.x2 - f.x1, f.y2 - f.y1) >= kMinFaceSize;
}

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

Result<std::shared_ptr<detect::FaceDetector>> load_installed_face_detector(const DeviceSelection& device) {
  detect::FaceModel kind = detect::FaceModel::kYuNet;
  auto installed = find_installed_model("yunet");
  if (!installed.is_ok()) {
    auto retina = find_installed_model("retinaface");
    if (!retina.is_ok())
      return not_found("no face detector installed in " + models_dir() +
                       ": portrait mode needs YuNet; install it with `toonbox models import <yunet file>` "
                       "(yunet_n_dynamic.onnx from libfacedetection.train), or use --mode whole");
    installed = std::move(retina);
    kind = detect::FaceModel::kRetinaFace;
  }
  auto graph = import_onnx_model(installed->entry_path);
  if (!graph.is_ok())
    return graph.status().with_context("face detector '" + installed->name + "' (" + installed->entry_path + ")");
  return std::make_shared<detect::FaceDetector>(kind, std::move(graph).value(), device.backend,
                                                device.precision);
}


Result<CartoonMode> parse_cartoon_mode(const std::string& s) {
  if (s == "auto") return CartoonMode::kAuto;
  if (s == "portrait") return CartoonMode::kPortrait;
  if (s == "whole") return CartoonMode::kWhole;
  return invalid_argument("mode '" + s + "': use auto, portrait or whole");
}

const char* cartoon_mode_name(CartoonMode mode) {
  switch (mode) {
    case CartoonMode::kAuto: return "auto";
    case CartoonMode::kPortrait: return "portrait";
    case CartoonMode::kWhole: return "whole";
  }
  return "?";
}

Result<CartoonModels> load_cartoon_models(const std::string& model_spec, const std::string& head_spec,
                                          CartoonMode mode, const DeviceSelection& device,
                                          std::string* note) {
  CartoonModels models;
  TB_ASSIGN_OR_RETURN(ModelSource background, load_model_source(model_spec, note));
  models.background = std::make_shared<Cartoonizer>(std::move(background), device);
  models.head = models.background;
  if (!head_spec.empty() && head_spec != model_spec) {
    auto head = load_model_source(head_spec, nullptr);
    if (!head.is_ok()) return head.status().with_context("--head-model");
    models.head = std::make_shared<Cartoonizer>(std::move(head).value(), device);
  }
  if (mode == CartoonMode::kWhole) return models;
  auto detector = load_installed_face_detector(device);
  if (detector.is_ok()) {
    models.detector = std::move(detector).value();
  } else {
    models.detector_missing = detector.status().message();
    // --mode portrait promises head crops: without a detector that is a failure, before
    // any work; auto falls back to the whole frame and says so per image.
    if (mode == CartoonMode::kPortrait) return detector.status();
  }
  return models;
}

CartoonPipeline::CartoonPipeline(CartoonModels models) : models_(std::move(models)) {}

Result<std::vector<detect::Face>> CartoonPipeline::choose_heads(const Image& input, CartoonMode mode,
                                                                CartoonReport* report) {
  std::vector<detect::Face> heads;
  if (mode == CartoonMode::kWhole) return heads;
  if (!models_.detect_faces && !models_.detector) {
    const std::string why = models_.detector_missing.empty() ? "no face detector" : models_.detector_missing;
    if (mode == CartoonMode::kPortrait) return not_found(why);
    report->notes.push_back("whole-image mode: " + why);
    return heads;
  }
  auto t0 = std::chrono::steady_clock::now();
  Result<std::vector<detect::Face>> detected =
      models_.detect_faces ? models_.detect_faces(input) : models_.detector->detect(input, kDetectMaxSide);
  report->detect_ms = ms_since(t0);
  if (!detected.is_ok()) {
    // auto promises a picture, not heads: a failed detection (e.g. out of device memory)
    // costs the heads, with the reason, rather than the image.
    if (mode == CartoonMode::kPortrait) return detected.status().with_context("face detection");
    report->notes.push_back("face detection failed (" + detected.status().message() + "): whole-image mode");
    return heads;
  }
  const std::vector<detect::Face>& faces = detected.value();
  int small = 0;
  for (const detect::Face& f : faces) {
    if (usable_face(f))
      heads.push_back(f);
    else
      ++small;
  }
  // Paste order: smallest first, so where heads overlap the largest (nearest) face wins.
  std::stable_sort(heads.begin(), heads.end(),
                   [](const detect::Face& a, const detect::Face& b) { return box_area(a) < box_area(b); });
  int over = 0;
  if (static_cast<int>(heads.size()) > kMaxHeads) {
    over = static_cast<int>(heads.size()) - kMaxHeads;
    heads.erase(heads.begin(), heads.begin() + over);
  }
  report->faces_skipped = small + over;
  if (small > 0)
    report->notes.push_back(plural(small, "face") + " smaller than " + std::to_string(kMinFaceSize) +
                            " px left to the whole-frame pass");
  if (over > 0)
    report->notes.push_back(plural(over, "more face") + " than the limit of " + std::to_string(kMaxHeads) +
                            " left to the whole-frame pass (the largest were kept)");
  if (heads.empty())
    report->notes.push_back(mode == CartoonMode::kPortrait
                                ? "portrait mode: no usable faces found, the whole frame was stylized"
                                : "no faces found: whole-image mode");
  return heads;
}

Status CartoonPipeline::paste_heads(const Image& input, const std::vector<detect::Face>& faces,
                                    const CartoonOptions& options, Image* canvas,
                                    CartoonReport* report) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<HeadCrop> crops;
  std::vector<detect::Face> used;
  for (const detect::Face& f : faces) {
    auto size = head_crop_size(f);
    auto crop = size.is_ok() ? crop_head(input, f, size.value()) : Result<HeadCrop>(size.status());
    if (!crop.is_ok()) {  // degenerate landmarks: nothing to align, not worth failing the image
      report->notes.push_back("a face was skipped: " + crop.status().message());
      ++report->faces_skipped;
      continue;
    }
    crops.push_back(std::move(crop).value());
    used.push_back(f);
  }
  // Crops of one tier size batch; chunks bound device memory.
  const size_t chunk = static_cast<size_t>(std::max(1, options.head_batch));
  for (int tier : kHeadCropTiers) {
    std::vector<size_t> members;
    for (size_t i = 0; i < crops.size(); ++i)
      if (crops[i].image.width == tier) members.push_back(i);
    for (size_t begin = 0; begin < members.size(); begin += chunk) {
      const size_t end = std::min(members.size(), begin + chunk);
      std::vector<const Image*> batch;
      for (size_t k = begin; k < end; ++k) batch.push_back(&crops[members[k]].image);
      TB_ASSIGN_OR_RETURN(std::vector<Image> heads, models_.head->stylize_batch(batch));
      if (heads.size() != batch.size())
        return internal_error("head model returned " + std::to_string(heads.size()) + " images for " +
                              std::to_string(batch.size()) + " crops");
      for (size_t k = begin; k < end; ++k) crops[members[k]].image = std::move(heads[k - begin]);
    }
  }
  for (const HeadCrop& crop : crops) paste_head(canvas, crop.image, crop.frame_to_crop);
  report->faces = static_cast<int>(used.size());
  report->heads = std::move(used);
  report->mode_used = report->faces > 0 ? CartoonMode::kPortrait : CartoonMode::kWhole;
  report->heads_ms = ms_since(t0);
  return Status();
}

// A batch of one: stylize_batch runs a single image through stylize(), tiles and all.
Result<Image> CartoonPipeline::process(const Image& input, const CartoonOptions& options,
                                       CartoonReport* report) {
  std::vector<CartoonReport> reports;
  TB_ASSIGN_OR_RETURN(std::vector<Image> out, process_batch({&input}, options, &reports));
  if (report) *report = std::move(reports[0]);
  return std::move(out[0]);
}

Result<std::vector<Image>> CartoonPipeline::process_batch(const std::vector<const Image*>& inputs,
                                                          const CartoonOptions& options,
                                                          std::vector<CartoonReport>* reports) {
  std::vector<Image> outputs;
  if (reports) reports->clear();
  if (inputs.empty()) return outputs;
  for (const Image* image : inputs) {
    if (image->width <= 0 || image->height <= 0) return invalid_argument("empty image");
    if (image->width != inputs[0]->width || image->height != inputs[0]->height)
      return invalid_argument("process_batch: images of different sizes (" + std::to_string(inputs[0]->width) +
                              "x" + std::to_string(inputs[0]->height) + " and " +
                              std::to_string(image->width) + "x" + std::to_string(image->height) + ")");
  }
  std::vector<CartoonReport> local(inputs.size());
  std::vector<std::vector<detect::Face>> faces(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    TB_ASSIGN_OR_RETURN(faces[i], choose_heads(*inputs[i], options.mode, &local[i]));
  }
  StylizeTimings background;
  TB_ASSIGN_OR_RETURN(std::vector<Image> stylized, models_.background->stylize_batch(inputs, &background, options.stylize));
  if (stylized.size() != inputs.size())
    return internal_error("background model returned " + std::to_string(stylized.size()) + " images for " +
                          std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    local[i].background = background;
    if (!faces[i].empty()) TB_RETURN_IF_ERROR(paste_heads(*inputs[i], faces[i], options, &stylized[i], &local[i]));
    auto t0 = std::chrono::steady_clock::now();
    outputs.push_back(finish_stylized(*inputs[i], stylized[i], options.strength, options.long_side));
    local[i].finish_ms = ms_since(t0);
  }
  if (reports) *reports = std::move(local);
  return outputs;
}

}  // namespace toonbox
