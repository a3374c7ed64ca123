// The cartoonization users run, for one image or a batch: choose the mode (portrait
// when faces are found, else the whole frame), stylize, then apply strength and output
// size. The CLI (single image and folders) and the server both go through here, so a
// parameter means the same thing everywhere.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detect/face_detector.h"
#include "engine/device_select.h"
#include "pipeline/cartoonizer.h"

namespace toonbox {

enum class CartoonMode : uint8_t { kAuto, kPortrait, kWhole };

// "auto", "portrait", "whole".
Result<CartoonMode> parse_cartoon_mode(const std::string& s);
const char* cartoon_mode_name(CartoonMode mode);

struct CartoonOptions {
  CartoonMode mode = CartoonMode::kAuto;
  int long_side = 0;      // output's longer side in pixels; 0 keeps the input's
  float strength = 1.f;   // 1 = fully stylized, 0 = the original
  StylizeOptions stylize; // tiling of the whole-frame pass
  int head_batch = 8;     // portrait mode: head crops per device call (same size, one batch)
};

// What happened to one image, for the user and for tests.
struct CartoonReport {
  CartoonMode mode_used = CartoonMode::kWhole;  // kPortrait or kWhole, never kAuto
  int faces = 0;                                // faces stylized as heads
  int faces_skipped = 0;                        // found but left to the whole-frame pass
  std::vector<detect::Face> heads;              // the faces stylized, in paste order
  std::vector<std::string> notes;               // "no faces found: whole-image mode", ...
  StylizeTimings background;                    // the whole-frame pass
  double detect_ms = 0;
  double heads_ms = 0;
  double finish_ms = 0;  // blend + resize

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
using FaceDetectFn = std::function<Result<std::vector<detect::Face>>(const Image&)>;

struct CartoonModels {
  std::shared_ptr<Cartoonizer> background;     // the whole frame
  std::shared_ptr<Cartoonizer> head;           // aligned head crops; may be `background`
  std::shared_ptr<detect::FaceDetector> detector;  // null when no detector is installed
  std::string detector_missing;                // why `detector` is null, for notes and errors
  FaceDetectFn detect_faces;                   // when set, used instead of `detector`
};

// Resolves --model, --head-model (empty: same as --model) and the face detector (YuNet,
// installed as "yunet"; only loaded when `mode` is not kWhole). A missing detector is an
// error for kPortrait (naming `toonbox models import`) and a note for kAuto.
Result<CartoonModels> load_cartoon_models(const std::string& model_spec, const std::string& head_spec,
                                          CartoonMode mode, const DeviceSelection& device,
                                          std::string* note);

// The installed face detector (YuNet, else RetinaFace) on `device`; kNotFound, saying how
// to install one, when there is none.
Result<std::shared_ptr<detect::FaceDetector>> load_installed_face_detector(const DeviceSelection& device);

class CartoonPipeline {
 public:
  explicit CartoonPipeline(CartoonModels models);

  // One image. Alpha is kept; the output has the input's size unless options.long_side.
  // Portrait mode (docs/portrait.md): the whole frame through `background`, each face's
  // aligned head crop through `head`, pasted back largest face last; no faces (or, in
  // kAuto, no detector) gives the whole-frame result with a note.
  Result<Image> process(const Image& input, const CartoonOptions& options,
                        CartoonReport* report = nullptr);

  // Images of one size (checked): the whole-frame pass runs as one batch on the device;
  // detection and heads run per image. Either every image succeeds or the call fails.
  Result<std::vector<Image>> process_batch(const std::vector<const Image*>& inputs,
                                           const CartoonOptions& options,
                                           std::vector<CartoonReport>* reports = nullptr);

  const CartoonModels& models() const { return models_; }

 private:
  // Detection and the choice of faces; an empty result means whole-frame only.
  Result<std::vector<detect::Face>> choose_heads(const Image& input, CartoonMode mode,
                                                 CartoonReport* report);
  // Stylizes `faces`' head crops of `input` and pastes them into `canvas`.
  Status paste_heads(const Image& input, const std::vector<detect::Face>& faces,
                     const CartoonOptions& options, Image* canvas, CartoonReport* report);

  CartoonModels models_;
};

}  // namespace toonbox
