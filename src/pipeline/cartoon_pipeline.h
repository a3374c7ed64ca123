// The cartoonization users run, for one image or a batch: choose the mode (portrait
// when faces are found, else the whole frame), stylize, then apply strength and output
// size. The CLI (single image and folders) and the server both go through here, so a
// parameter means the same thing everywhere.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detect/face_detector.h"
#include "engine/device_select.h"
#include "models/registry.h"
#include "pipeline/model_runner.h"
#include "pipeline/face_align.h"
#include "pipeline/face_quality.h"

namespace toonbox::pipeline {

enum class CartoonMode : uint8_t { kAuto, kPortrait, kWhole };

// "auto", "portrait", "whole".
Result<CartoonMode> parse_cartoon_mode(const std::string& s);
const char* cartoon_mode_name(CartoonMode mode);

struct CartoonOptions {
  CartoonMode mode = CartoonMode::kAuto;
  int long_side = 0;      // output's longer side in pixels; 0 keeps the input's
  // The resolution the frame is processed at (pipeline/processing_size.h): 0 the model
  // authors' rule, kFullResolution the input's size, N > 0 the short side in pixels.
  int resolution = 0;
  float strength = 1.f;   // 1 = fully stylized, 0 = the original
  StylizeOptions stylize; // tiling of the whole-frame pass
  int head_batch = 8;     // portrait mode: head crops per device call (same size, one batch)
  int min_face = kDefaultMinFace;      // portrait mode: smaller faces (box side, input px) keep the frame result
  float face_score = kDefaultFaceScore;  // portrait mode: less confident detections keep the frame result
  // Portrait mode: faces less sharp than this fraction of the sharpest keep the frame result.
  double min_relative_sharpness = kMinRelativeSharpness;
};

// One detection and what portrait mode made of it.
struct FaceDecision {
  detect::Face face;
  double sharpness = 0;  // face_sharpness(); 0 when not measured
  // "head" (stylized as a head crop), "small", "low score", "out of focus", "over limit",
  // "native scale" (the frame pass already drew it at that scale), "bad landmarks".
  std::string verdict;
};

// What happened to one image, for the user and for tests.
struct CartoonReport {
  CartoonMode mode_used = CartoonMode::kWhole;  // kPortrait or kWhole, never kAuto
  int faces = 0;                                // faces stylized as heads
  int faces_skipped = 0;                        // found but left to the whole-frame pass
  std::vector<detect::Face> heads;              // the faces stylized, in paste order
  std::vector<FaceDecision> detections;         // every detection, with its verdict
  std::vector<std::string> notes;               // "no faces found: whole-image mode", ...
  StylizeTimings background;                    // the whole-frame pass
  int process_width = 0, process_height = 0;    // the size the frame was processed at
  double resize_ms = 0;  // scaling the input to the processing size
  double detect_ms = 0;
  double heads_ms = 0;
  double finish_ms = 0;  // scaling to the output size, strength
  // Everything process() spent on this image: resize, detection, the frame pass (its
  // share of a batch), heads and finishing.
  double total_ms = 0;

  // Everything to tell the user: the pipeline's notes, then the whole-frame pass's
  // (tiles, out-of-memory retries).
  std::vector<std::string> all_notes() const {
    std::vector<std::string> all = notes;
    all.insert(all.end(), background.notes.begin(), background.notes.end());
    return all;
  }
};

// Finds faces in an image (frame pixels, five landmarks each). Portrait mode calls this
// when set, else `CartoonModels::detector`; tests inject detections through it.
using FaceDetectFn = std::function<Result<std::vector<detect::Face>>(const image::Image&)>;

struct CartoonModels {
  std::shared_ptr<ModelRunner> background;     // the whole frame
  std::shared_ptr<ModelRunner> head;           // aligned head crops; may be `background`
  std::shared_ptr<detect::FaceDetector> detector;  // null when no detector is installed
  std::string detector_missing;                // why `detector` is null, for notes and errors
  FaceDetectFn detect_faces;                   // when set, used instead of `detector`
};

// The device-free half of loading: --model and --head-model (empty or equal: the same
// model) read and imported. A command can do this while the device starts.
struct CartoonSources {
  ModelSource background;
  std::optional<ModelSource> head;  // absent: the heads use `background`
};
Result<CartoonSources> load_cartoon_sources(const std::string& model_spec, const std::string& head_spec,
                                            std::string* note, const models::ContractOverrides& flags = {});

// The other half: the models placed on `device`, and the face detector unless kWhole (as
// load_cartoon_models below says).
Result<CartoonModels> bind_cartoon_models(CartoonSources sources, CartoonMode mode,
                                          const engine::DeviceSelection& device);

// Both halves. Resolves --model, --head-model (empty: same as --model) and the face detector (YuNet,
// installed as "yunet"; only loaded when `mode` is not kWhole). A missing detector is an
// error for kPortrait (naming `toonbox models import`) and a note for kAuto. `flags`
// (--channels) apply to --model, and to --head-model when it is the same.
Result<CartoonModels> load_cartoon_models(const std::string& model_spec,
                                          const std::string& head_spec, CartoonMode mode,
                                          const engine::DeviceSelection& device, std::string* note,
                                          const models::ContractOverrides& flags = {});

// The installed face detector (YuNet, else RetinaFace) on `device`; kNotFound, saying how
// to install one, when there is none.
Result<std::shared_ptr<detect::FaceDetector>> load_installed_face_detector(
    const engine::DeviceSelection& device);

class CartoonPipeline {
 public:
  explicit CartoonPipeline(CartoonModels models);

  // One image. Alpha is kept; the output has the input's size unless options.long_side.
  // Portrait mode (docs/portrait.md): the whole frame through `background`, each face's
  // aligned head crop through `head`, pasted back largest face last; no faces (or, in
  // kAuto, no detector) gives the whole-frame result with a note.
  Result<image::Image> process(const image::Image& input, const CartoonOptions& options,
                               CartoonReport* report = nullptr);

  // Images of one size (checked): the whole-frame pass runs as one batch on the device;
  // detection and heads run per image. Either every image succeeds or the call fails.
  Result<std::vector<image::Image>> process_batch(const std::vector<const image::Image*>& inputs,
                                                  const CartoonOptions& options,
                                                  std::vector<CartoonReport>* reports = nullptr);

  const CartoonModels& models() const { return models_; }

 private:
  // Detection and the choice of faces; an empty result means whole-frame only.
  Result<std::vector<detect::Face>> choose_heads(const image::Image& input,
                                                 const CartoonOptions& options,
                                                 CartoonReport* report);
  // Stylizes `faces`' head crops of `input` and pastes them into `canvas` (the output,
  // `output_scale` times the input's size). `frame_scale` is the scale the frame was
  // processed at: heads are cropped at least that fine.
  Status paste_heads(const image::Image& input, const std::vector<detect::Face>& faces,
                     const CartoonOptions& options, double frame_scale, double output_scale,
                     image::Image* canvas, CartoonReport* report);

  CartoonModels models_;
};

}  // namespace toonbox::pipeline
