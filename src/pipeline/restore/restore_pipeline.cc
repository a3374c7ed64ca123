#include "pipeline/restore/restore_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/timing.h"
#include "import/model_file.h"
#include "models/model_resolver.h"
#include "models/registry.h"
#include "pipeline/cartoon_pipeline.h"
#include "pipeline/image_tensor.h"
#include "pipeline/restore/face_paste.h"
#include "pipeline/restore/restore_precision.h"

namespace toonbox::pipeline {

namespace {

// The detectors run on the image scaled to this long side (as portrait mode does); the
// landmarks come back in the input's pixels.
constexpr int kDetectMaxSide = 960;

engine::SessionOptions batching() {
  engine::SessionOptions o;
  o.allow_batch = true;
  return o;
}

// Items [first, first + n) of an [N,...] float tensor.
Tensor slice_items(const Tensor& t, int64_t first, int64_t n) {
  Shape s = t.shape();
  const int64_t per = t.numel() / s[0];
  s[0] = n;
  Tensor out(DType::kFloat32, s);
  std::memcpy(out.data<float>(), t.data<float>() + first * per, static_cast<size_t>(n * per) * sizeof(float));
  return out;
}

double face_side(const detect::Face& f) { return std::min(f.x2 - f.x1, f.y2 - f.y1); }

// The smallest power of two >= n, at most `cap`: few distinct batch shapes are compiled.
int64_t batch_shape(int64_t n, int cap) {
  int64_t b = 1;
  while (b < n && b < cap) b *= 2;
  return std::min<int64_t>(b, std::max(1, cap));
}

}  // namespace

FaceRestorer::FaceRestorer(std::string name, graph::Graph graph,
                           models::FaceRestoreContract contract,
                           const engine::DeviceSelection& device)
    : name_(std::move(name)),
      contract_(std::move(contract)),
      chosen_(restore_precision(graph, device.precision)),
      session_(std::move(graph), device.backend, chosen_.precision, batching()) {}

Result<Tensor> FaceRestorer::run_once(const Tensor& crops, float fidelity, double* compile_ms) {
  std::vector<Tensor> inputs;
  // Inputs in the graph's order: the face, and CodeFormer's weight.
  for (int v : session_.graph().inputs()) {
    const std::string& name = session_.graph().value(v).name;
    if (name == contract_.image_input) {
      inputs.push_back(crops);
    } else {
      Tensor w(DType::kFloat32, contract_.fidelity_shape);
      std::fill(w.data<float>(), w.data<float>() + w.numel(), fidelity);
      inputs.push_back(std::move(w));
    }
  }
  engine::RunReport run;
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session_.run(inputs, &run));
  *compile_ms += run.compile_ms;
  if (outs.empty()) return invalid_argument(name_ + ": the model returned no output");
  const Shape want = crops.shape();
  if (outs[0].shape() != want)
    return invalid_argument(name_ + ": got an output of " + shape_to_string(outs[0].shape()) + ", expected " +
                            shape_to_string(want) + " (the restored faces, the input's shape)");
  return std::move(outs[0]);
}

Result<Tensor> FaceRestorer::run(const Tensor& crops, float fidelity, std::vector<std::string>* notes, int* calls,
                                 double* compile_ms) {
  const int64_t n = crops.shape()[0];
  if (notes && !chosen_.note.empty()) notes->push_back(name_ + " " + chosen_.note);
  if (n > 1 && batch_refused_.empty()) {
    ++*calls;
    auto out = run_once(crops, fidelity, compile_ms);
    if (out.is_ok() || out.status().code() == StatusCode::kOutOfMemory) return out;
    // A model that mixes batch items (or pins the batch) is refused at its batched
    // compile: remember it and run the faces one at a time.
    batch_refused_ = out.status().message();
    if (notes) notes->push_back("the restorer cannot batch (" + batch_refused_ + "): faces run one at a time");
  }
  Tensor all(DType::kFloat32, crops.shape());
  const int64_t per = crops.numel() / n;
  for (int64_t i = 0; i < n; ++i) {
    ++*calls;
    TB_ASSIGN_OR_RETURN(Tensor one, run_once(slice_items(crops, i, 1), fidelity, compile_ms));
    std::memcpy(all.data<float>() + i * per, one.data<float>(), static_cast<size_t>(per) * sizeof(float));
  }
  return all;
}

Result<std::string> default_face_restorer_name(const std::string& option) {
  TB_ASSIGN_OR_RETURN(auto installed, models::list_installed_models());
  std::vector<std::string> restorers;
  for (const auto& m : installed)
    if (m.role == models::ModelRole::kFaceRestorer) restorers.push_back(m.name);
  if (restorers.empty())
    return not_found(
        "no face restorer installed in " + models::models_dir() +
        ": import one with `toonbox models import gfpgan_1.4.onnx` (an ONNX export such as "
        "facefusion's GFPGAN, GPEN-BFR, CodeFormer or RestoreFormer++)" +
        (option.starts_with("--") ? ", or pass " + option + " PATH" : std::string()));
  if (restorers.size() > 1) {
    std::string names;
    for (const auto& r : restorers) names += (names.empty() ? "" : ", ") + r;
    return invalid_argument("several face restorers are installed (" + names + "): choose one with " + option);
  }
  return restorers[0];
}

Result<std::shared_ptr<FaceRestorer>> load_face_restorer(const std::string& spec,
                                                         const models::FaceRestoreOverrides& o,
                                                         const engine::DeviceSelection& device) {
  std::string chosen = spec;
  if (chosen.empty()) {
    TB_ASSIGN_OR_RETURN(chosen, default_face_restorer_name("--model"));
  }
  TB_ASSIGN_OR_RETURN(models::ResolvedModel model, models::resolve_model(chosen));
  if (model.role == models::ModelRole::kStyle && model.known)
    return invalid_argument("'" + model.name + "' is a cartoon style, not a face restorer");
  if (model.role == models::ModelRole::kFaceDetector)
    return invalid_argument("'" + model.name + "' is a face detector, not a face restorer");
  if (model.format != "onnx")
    return invalid_argument(model.entry_path + ": face restorers are ONNX files (got a " + model.format + " model)");
  TB_ASSIGN_OR_RETURN(graph::Graph graph, import::import_model_file(model.file()));
  auto contract = models::face_restore_contract(graph, model.entry_path, o);
  if (!contract.is_ok()) return contract.status();
  return std::make_shared<FaceRestorer>(model.name, std::move(graph), std::move(contract).value(), device);
}

Result<RestoreModels> load_restore_models(const std::string& spec,
                                          const models::FaceRestoreOverrides& o,
                                          const engine::DeviceSelection& device) {
  RestoreModels m;
  TB_ASSIGN_OR_RETURN(m.restorer, load_face_restorer(spec, o, device));
  auto detector = load_installed_face_detector(device);
  if (!detector.is_ok())
    return not_found("restoring faces needs a face detector: " + detector.status().message());
  m.detector = std::move(detector).value();
  return m;
}

Status check_restore_options(const RestoreModels& models, const RestoreOptions& o) {
  if (o.upscale < 1 || o.upscale > 8) return invalid_argument("--upscale must be 1..8");
  if (o.upscale > 1 && !models.upscale)
    return unimplemented("--upscale " + std::to_string(o.upscale) +
                         " needs an upscaler for the background, and none was given to the pipeline; "
                         "restore without --upscale, or upscale the result with `toonbox upscale`");
  if (o.batch < 1 || o.batch > 64) return invalid_argument("the restore batch must be 1..64");
  return Status::ok();
}

Result<std::vector<detect::Face>> RestorePipeline::choose_faces(const image::Image& input,
                                                                const RestoreOptions& o,
                                                                RestoreReport* r) {
  const auto t0 = std::chrono::steady_clock::now();
  Result<std::vector<detect::Face>> found = models_.detect_faces ? models_.detect_faces(input)
                                            : models_.detector   ? models_.detector->detect(input, kDetectMaxSide)
                                                                 : Result<std::vector<detect::Face>>(
                                                                       not_found("no face detector loaded"));
  r->detect_ms = ms_since(t0);
  if (!found.is_ok()) return found.status().with_context("face detection");
  std::vector<detect::Face> faces = std::move(found).value();
  // Largest first, so the limit keeps the faces that matter.
  std::stable_sort(faces.begin(), faces.end(),
                   [](const detect::Face& a, const detect::Face& b) { return face_side(a) > face_side(b); });
  std::vector<detect::Face> chosen;
  const int s = models_.restorer->contract().size;
  for (const detect::Face& f : faces) {
    RestoredFace d{f, "restored"};
    if (f.score < o.face_score) {
      d.verdict = "low score";
    } else if (face_side(f) < o.min_face) {
      d.verdict = "small";
    } else if (static_cast<int>(chosen.size()) >= kMaxRestoreFaces) {
      d.verdict = "over limit";
    } else if (!restore_alignment(f, models_.restorer->contract().face_template, s).is_ok()) {
      d.verdict = "bad landmarks";
    } else {
      chosen.push_back(f);
    }
    r->detections.push_back(d);
  }
  int small = 0, low = 0, over = 0;
  for (const auto& d : r->detections) {
    small += d.verdict == "small";
    low += d.verdict == "low score";
    over += d.verdict == "over limit";
  }
  if (small)
    r->notes.push_back(std::to_string(small) + " face" + (small == 1 ? "" : "s") + " smaller than " +
                       std::to_string(o.min_face) + " px not restored (too small to restore)");
  if (low) r->notes.push_back(std::to_string(low) + " low-confidence detection" + (low == 1 ? "" : "s") + " not restored");
  if (over) r->notes.push_back(std::to_string(over) + " faces over the limit of " + std::to_string(kMaxRestoreFaces) + " not restored");
  r->faces_skipped = static_cast<int>(r->detections.size() - chosen.size());
  return chosen;
}

Result<image::Image> RestorePipeline::process(const image::Image& input, const RestoreOptions& o,
                                              RestoreReport* report) {
  RestoreReport local;
  RestoreReport* r = report ? report : &local;
  *r = RestoreReport{};
  const auto t_start = std::chrono::steady_clock::now();
  TB_RETURN_IF_ERROR(check_restore_options(models_, o));
  if (input.width <= 0 || input.height <= 0) return invalid_argument("empty image");
  const models::FaceRestoreContract& c = models_.restorer->contract();
  if (c.fidelity_input.empty() && o.fidelity != RestoreOptions{}.fidelity)
    r->notes.push_back("--fidelity ignored: " + models_.restorer->name() + " has no fidelity input");

  TB_ASSIGN_OR_RETURN(std::vector<detect::Face> faces, choose_faces(input, o, r));

  image::Image background = input;
  if (o.upscale > 1) {
    TB_ASSIGN_OR_RETURN(background, models_.upscale(input, o.upscale));
  }
  if (faces.empty()) {
    r->notes.push_back(r->detections.empty() ? "no face found" : "no face restored");
    if (o.faces_only) {
      r->nothing_to_write = true;
      r->notes.back() += ": nothing written (--faces-only)";
    } else {
      r->notes.back() += ": the image is passed through unchanged";
    }
    r->total_ms = ms_since(t_start);
    return background;
  }

  const int s = c.size, cw = background.width, ch = background.height;
  std::vector<float> canvas(background.rgb.begin(), background.rgb.end());
  const auto n = static_cast<int64_t>(faces.size());
  // Smallest first: where faces overlap, the largest one is pasted last and wins.
  std::reverse(faces.begin(), faces.end());
  for (int64_t first = 0; first < n;) {
    // A restorer that cannot batch runs each face alone: no padding slots to run too.
    const int64_t shape_n = models_.restorer->can_batch() ? batch_shape(n - first, o.batch) : 1;
    const int64_t take = std::min(shape_n, n - first);
    auto t0 = std::chrono::steady_clock::now();
    Tensor crops(DType::kFloat32, {shape_n, 3, s, s});
    std::vector<image::Affine2> to_crop(take);
    for (int64_t i = 0; i < shape_n; ++i) {
      // Slots past `take` repeat the last face (results dropped): one compiled shape.
      const detect::Face& f = faces[first + std::min(i, take - 1)];
      TB_ASSIGN_OR_RETURN(image::Affine2 t, restore_alignment(f, c.face_template, s));
      TB_ASSIGN_OR_RETURN(image::Affine2 inv, t.inverse());
      if (i < take) to_crop[i] = t;
      fill_face_crop(input, inv, s, i, &crops);
    }
    TB_ASSIGN_OR_RETURN(Tensor restored, models_.restorer->run(crops, o.fidelity, &r->notes, &r->device_calls, &r->compile_ms));
    r->restore_ms += ms_since(t0);
    r->batch = std::max<int>(r->batch, static_cast<int>(shape_n));
    t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < take; ++i) {
      TB_ASSIGN_OR_RETURN(OutputPixels px, OutputPixels::of(restored, i, c.pixels));
      const image::Affine2 canvas_to_crop = rescale_frame(to_crop[i], o.upscale);
      const PasteMask mask = face_paste_mask(cw, ch, canvas_to_crop, s, o.upscale);
      paste_restored_face(px, s, canvas_to_crop, mask, cw, ch, &canvas);
    }
    r->paste_ms += ms_since(t0);
    first += take;
  }
  r->faces = static_cast<int>(n);
  image::Image out = std::move(background);
  for (size_t i = 0; i < canvas.size(); ++i)
    out.rgb[i] = static_cast<uint8_t>(std::lround(std::clamp(canvas[i], 0.f, 255.f)));
  r->total_ms = ms_since(t_start);
  return out;
}

}  // namespace toonbox::pipeline
