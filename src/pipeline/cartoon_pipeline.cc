#include "pipeline/cartoon_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/timing.h"
#include "image/resize.h"
#include "import/onnx/onnx_importer.h"
#include "models/registry.h"
#include "pipeline/face_align.h"
#include "pipeline/finishing.h"
#include "pipeline/model_loader.h"
#include "pipeline/processing_size.h"

namespace toonbox::pipeline {

namespace {

// The detector sees the image scaled so its long side is at most this. YuNet's stride-8
// level finds faces down to ~10 px: the Solvay 1927 photo (1328 px, ~29 faces of 25-40
// px) gives the same 29 faces at 960 and 1280 and 30 at 640, so 960 leaves room for
// larger group photos at about half the cost of 1280 (YuNet on the CPU: ~0.3-0.6 s).
constexpr int kDetectMaxSide = 960;

// More heads than this in one image are left to the whole-frame pass (the largest are
// kept): it bounds the time of a crowd photo at a few batches of crops.
constexpr int kMaxHeads = 64;

// A head crop at this scale or below the frame's processing scale would redraw the face
// as the frame pass already did (same model, same scale): the head pass is skipped.
constexpr double kHeadScaleGain = 1.1;

float box_area(const detect::Face& f) { return std::max(0.f, f.x2 - f.x1) * std::max(0.f, f.y2 - f.y1); }

bool finite_face(const detect::Face& f) {
  if (!(std::isfinite(f.x1) && std::isfinite(f.y1) && std::isfinite(f.x2) && std::isfinite(f.y2))) return false;
  for (float v : f.landmarks)
    if (!std::isfinite(v)) return false;
  return true;
}

// Changes the verdict of the detection `f` came from (heads are copies of detections).
void set_verdict(const detect::Face& f, const char* verdict, CartoonReport* report) {
  for (FaceDecision& d : report->detections)
    if (d.verdict == "head" && d.face.x1 == f.x1 && d.face.y1 == f.y1 && d.face.x2 == f.x2) d.verdict = verdict;
}

// The RGB pixels of `image` at width x height (alpha is handled apart: the model sees the
// colour under transparent pixels, as it does at full size).
image::Image resized_rgb(const image::Image& image, int width, int height) {
  image::Image rgb;
  rgb.width = image.width;
  rgb.height = image.height;
  rgb.rgb = image.rgb;
  return image::resize_image(rgb, width, height);
}

// The output's alpha: the input's, at the output size.
std::vector<uint8_t> output_alpha(const image::Image& input, int width, int height) {
  if (!input.has_alpha()) return {};
  if (input.width == width && input.height == height) return input.alpha;
  return image::resize_image(input, width, height).alpha;  // alpha resamples as a plane of its own
}

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

Result<std::shared_ptr<detect::FaceDetector>> load_installed_face_detector(
    const engine::DeviceSelection& device) {
  detect::FaceModel kind = detect::FaceModel::kYuNet;
  auto installed = models::find_installed_model("yunet");
  if (!installed.is_ok()) {
    auto retina = models::find_installed_model("retinaface");
    if (!retina.is_ok())
      return not_found(
          "no face detector installed in " + models::models_dir() +
          ": portrait mode needs YuNet; install it with `toonbox models import <yunet file>` "
          "(yunet_n_dynamic.onnx from libfacedetection.train), or use --mode whole");
    installed = std::move(retina);
    kind = detect::FaceModel::kRetinaFace;
  }
  auto graph = onnx_import::import_onnx_model(installed->entry_path);
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

Result<CartoonSources> load_cartoon_sources(const std::string& model_spec, const std::string& head_spec,
                                            std::string* note, const models::ContractOverrides& flags) {
  TB_ASSIGN_OR_RETURN(ModelSource background, load_model_source(model_spec, note, flags));
  CartoonSources sources{std::move(background), std::nullopt};
  if (!head_spec.empty() && head_spec != model_spec) {
    auto head = load_model_source(head_spec, nullptr);
    if (!head.is_ok()) return head.status().with_context("--head-model");
    sources.head = std::move(head).value();
  }
  return sources;
}

Result<CartoonModels> load_cartoon_models(const std::string& model_spec,
                                          const std::string& head_spec, CartoonMode mode,
                                          const engine::DeviceSelection& device, std::string* note,
                                          const models::ContractOverrides& flags) {
  TB_ASSIGN_OR_RETURN(CartoonSources sources, load_cartoon_sources(model_spec, head_spec, note, flags));
  return bind_cartoon_models(std::move(sources), mode, device);
}

Result<CartoonModels> bind_cartoon_models(CartoonSources sources, CartoonMode mode,
                                          const engine::DeviceSelection& device) {
  CartoonModels models;
  models.background = std::make_shared<ModelRunner>(std::move(sources.background), device);
  models.head = sources.head ? std::make_shared<ModelRunner>(std::move(*sources.head), device) : models.background;
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

Result<std::vector<detect::Face>> CartoonPipeline::choose_heads(const image::Image& input,
                                                                const CartoonOptions& options,
                                                                CartoonReport* report) {
  std::vector<detect::Face> heads;
  const CartoonMode mode = options.mode;
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
  // Each face that gets no head pass keeps the whole-frame result, and the notes say why.
  int small = 0, unsure = 0, blurred = 0;
  std::vector<FaceDecision>& decisions = report->detections;
  for (const detect::Face& f : detected.value()) {
    FaceDecision d{f, 0.0, ""};
    if (!finite_face(f) || std::min(f.x2 - f.x1, f.y2 - f.y1) < options.min_face) {
      d.verdict = "small";
      ++small;
    } else if (f.score < options.face_score) {
      d.verdict = "low score";
      ++unsure;
    } else {
      d.sharpness = face_sharpness(input, f);
    }
    decisions.push_back(d);
  }
  double sharpest = 0;
  for (const FaceDecision& d : decisions)
    if (d.verdict.empty()) sharpest = std::max(sharpest, d.sharpness);
  std::vector<size_t> chosen;  // into decisions
  for (size_t i = 0; i < decisions.size(); ++i) {
    FaceDecision& d = decisions[i];
    if (!d.verdict.empty()) continue;
    if (d.sharpness < options.min_relative_sharpness * sharpest) {
      d.verdict = "out of focus";
      ++blurred;
    } else {
      d.verdict = "head";
      chosen.push_back(i);
    }
  }
  // Paste order: smallest first, so where heads overlap the largest (nearest) face wins.
  std::stable_sort(chosen.begin(), chosen.end(),
                   [&](size_t a, size_t b) { return box_area(decisions[a].face) < box_area(decisions[b].face); });
  const int over = std::max(0, static_cast<int>(chosen.size()) - kMaxHeads);
  for (size_t k = 0; k < chosen.size(); ++k) {
    if (static_cast<int>(k) < over)
      decisions[chosen[k]].verdict = "over limit";
    else
      heads.push_back(decisions[chosen[k]].face);
  }
  report->faces_skipped = small + unsure + blurred + over;
  if (small > 0)
    report->notes.push_back(plural(small, "face") + " smaller than " + std::to_string(options.min_face) +
                            " px kept the whole-frame result (--min-face)");
  if (unsure > 0) {
    char score[16];
    std::snprintf(score, sizeof score, "%.2f", options.face_score);
    report->notes.push_back(plural(unsure, "detection") + " scored below " + score +
                            " (likely not a face) kept the whole-frame result (--face-score)");
  }
  if (blurred > 0)
    report->notes.push_back(plural(blurred, "face") + " out of focus next to the sharpest kept the whole-frame result");
  if (over > 0)
    report->notes.push_back(plural(over, "more face") + " than the limit of " + std::to_string(kMaxHeads) +
                            " left to the whole-frame pass (the largest were kept)");
  if (heads.empty())
    report->notes.push_back(mode == CartoonMode::kPortrait
                                ? "portrait mode: no usable faces found, the whole frame was stylized"
                                : "no faces found: whole-image mode");
  return heads;
}

Status CartoonPipeline::paste_heads(const image::Image& input,
                                    const std::vector<detect::Face>& faces,
                                    const CartoonOptions& options, double frame_scale,
                                    double output_scale, image::Image* canvas,
                                    CartoonReport* report) {
  auto t0 = std::chrono::steady_clock::now();
  const bool same_model = models_.head == models_.background;
  // Fine enough for the output and never coarser than the frame pass.
  const double target = std::max(frame_scale, output_scale);
  std::vector<HeadCrop> crops;
  std::vector<detect::Face> used;
  int native = 0;
  for (const detect::Face& f : faces) {
    auto choice = choose_head_crop(f, target, models_.head->model().contract.processing.min_side);
    if (choice.is_ok() && same_model && choice->scale <= frame_scale * kHeadScaleGain) {
      ++native;  // the frame pass already drew this face at this scale with this model
      set_verdict(f, "native scale", report);
      continue;
    }
    auto crop = choice.is_ok() ? crop_head(input, f, choice->size) : Result<HeadCrop>(choice.status());
    if (!crop.is_ok()) {  // degenerate landmarks: nothing to align, not worth failing the image
      report->notes.push_back("a face was skipped: " + crop.status().message());
      ++report->faces_skipped;
      set_verdict(f, "bad landmarks", report);
      continue;
    }
    crops.push_back(std::move(crop).value());
    used.push_back(f);
  }
  if (native > 0) {
    report->faces_skipped += native;
    report->notes.push_back(plural(native, "face") +
                            " already at the frame's processing scale kept the whole-frame result (same model)");
  }
  // Crops of one tier size batch; chunks bound device memory.
  const size_t chunk = static_cast<size_t>(std::max(1, options.head_batch));
  for (int tier : kHeadCropTiers) {
    std::vector<size_t> members;
    for (size_t i = 0; i < crops.size(); ++i)
      if (crops[i].image.width == tier) members.push_back(i);
    for (size_t begin = 0; begin < members.size(); begin += chunk) {
      const size_t end = std::min(members.size(), begin + chunk);
      std::vector<const image::Image*> batch;
      for (size_t k = begin; k < end; ++k) batch.push_back(&crops[members[k]].image);
      TB_ASSIGN_OR_RETURN(std::vector<image::Image> heads, models_.head->stylize_batch(batch));
      if (heads.size() != batch.size())
        return internal_error("head model returned " + std::to_string(heads.size()) + " images for " +
                              std::to_string(batch.size()) + " crops");
      for (size_t k = begin; k < end; ++k) crops[members[k]].image = std::move(heads[k - begin]);
    }
  }
  for (const HeadCrop& crop : crops) paste_head(canvas, crop.image, rescale_frame(crop.frame_to_crop, output_scale));
  report->faces = static_cast<int>(used.size());
  report->heads = std::move(used);
  report->mode_used = report->faces > 0 ? CartoonMode::kPortrait : CartoonMode::kWhole;
  report->heads_ms = ms_since(t0);
  return Status();
}

// A batch of one: stylize_batch runs a single image through stylize(), tiles and all.
Result<image::Image> CartoonPipeline::process(const image::Image& input,
                                              const CartoonOptions& options,
                                              CartoonReport* report) {
  std::vector<CartoonReport> reports;
  TB_ASSIGN_OR_RETURN(std::vector<image::Image> out, process_batch({&input}, options, &reports));
  if (report) *report = std::move(reports[0]);
  return std::move(out[0]);
}

Result<std::vector<image::Image>> CartoonPipeline::process_batch(
    const std::vector<const image::Image*>& inputs, const CartoonOptions& options,
    std::vector<CartoonReport>* reports) {
  std::vector<image::Image> outputs;
  if (reports) reports->clear();
  if (inputs.empty()) return outputs;
  for (const image::Image* image : inputs) {
    if (image->width <= 0 || image->height <= 0) return invalid_argument("empty image");
    if (image->width != inputs[0]->width || image->height != inputs[0]->height)
      return invalid_argument("process_batch: images of different sizes (" + std::to_string(inputs[0]->width) +
                              "x" + std::to_string(inputs[0]->height) + " and " +
                              std::to_string(image->width) + "x" + std::to_string(image->height) + ")");
  }
  const auto start = std::chrono::steady_clock::now();
  const int width = inputs[0]->width, height = inputs[0]->height;
  int out_w = 0, out_h = 0;
  output_size(width, height, options.long_side, &out_w, &out_h);
  const double output_scale = static_cast<double>(out_w) / width;
  const ProcessingSize proc = processing_size(width, height, models_.background->model().contract.processing,
                                              options.resolution, out_w, out_h);
  std::vector<CartoonReport> local(inputs.size());
  std::vector<std::vector<detect::Face>> faces(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    TB_ASSIGN_OR_RETURN(faces[i], choose_heads(*inputs[i], options, &local[i]));
  }
  // The frame at the processing size (the same for every image of the batch).
  auto t0 = std::chrono::steady_clock::now();
  std::vector<image::Image> scaled;
  std::vector<const image::Image*> frames = inputs;
  if (proc.resized()) {
    scaled.reserve(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      scaled.push_back(resized_rgb(*inputs[i], proc.width, proc.height));
      frames[i] = &scaled.back();
    }
  }
  const double resize_ms = ms_since(t0);
  StylizeTimings background;
  TB_ASSIGN_OR_RETURN(std::vector<image::Image> stylized,
                      models_.background->stylize_batch(frames, &background, options.stylize));
  if (stylized.size() != inputs.size())
    return internal_error("background model returned " + std::to_string(stylized.size()) + " images for " +
                          std::to_string(inputs.size()));
  // Work shared by the batch (the resize, the device call) is split evenly.
  const double shared_ms = ms_since(start) / inputs.size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    CartoonReport& r = local[i];
    const auto image_start = std::chrono::steady_clock::now();
    r.background = background;
    r.process_width = proc.width;
    r.process_height = proc.height;
    r.resize_ms = resize_ms / inputs.size();
    if (!proc.why.empty()) r.notes.push_back(proc.why);
    image::Image canvas = std::move(stylized[i]);
    canvas.alpha.clear();
    t0 = std::chrono::steady_clock::now();
    if (canvas.width != out_w || canvas.height != out_h)
      canvas = image::resize_image(canvas, out_w, out_h);
    r.finish_ms = ms_since(t0);
    if (!faces[i].empty())
      TB_RETURN_IF_ERROR(paste_heads(*inputs[i], faces[i], options, proc.scale, output_scale, &canvas, &r));
    t0 = std::chrono::steady_clock::now();
    if (options.strength < 1.f) {
      const image::Image original =
          out_w == width && out_h == height ? *inputs[i] : resized_rgb(*inputs[i], out_w, out_h);
      canvas = blend_with_original(original, canvas, options.strength);
    }
    canvas.alpha = output_alpha(*inputs[i], out_w, out_h);
    r.finish_ms += ms_since(t0);
    r.total_ms = shared_ms + ms_since(image_start);
    outputs.push_back(std::move(canvas));
  }
  if (reports) *reports = std::move(local);
  return outputs;
}

}  // namespace toonbox::pipeline
