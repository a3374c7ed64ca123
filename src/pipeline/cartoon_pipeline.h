// The cartoonization users run, for one image or a batch: choose the mode (portrait
// when faces are found, else the whole frame), stylize, then apply strength and output
// size. The CLI (single image and folders) and the server both go through here, so a
// parameter means the same thing everywhere.
#pragma once

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
};

// What happened to one image, for the user and for tests.
struct CartoonReport {
  CartoonMode mode_used = CartoonMode::kWhole;  // kPortrait or kWhole, never kAuto
  int faces = 0;                                // faces stylized as heads
  std::vector<std::string> notes;               // "no faces found: whole-image mode", ...
  StylizeTimings background;                    // the whole-frame pass
  double detect_ms = 0;
  double heads_ms = 0;
  double finish_ms = 0;  // blend + resize
};

struct CartoonModels {
  std::shared_ptr<Cartoonizer> background;     // the whole frame
  std::shared_ptr<Cartoonizer> head;           // aligned head crops; may be `background`
  std::shared_ptr<detect::FaceDetector> detector;  // null when no detector is installed
  std::string detector_missing;                // why `detector` is null, for notes and errors
};

// Resolves --model, --head-model (empty: same as --model) and the face detector (YuNet,
// installed as "yunet"; only loaded when `mode` is not kWhole). A missing detector is an
// error for kPortrait and a note for kAuto.
Result<CartoonModels> load_cartoon_models(const std::string& model_spec, const std::string& head_spec,
                                          CartoonMode mode, const DeviceSelection& device,
                                          std::string* note);

class CartoonPipeline {
 public:
  explicit CartoonPipeline(CartoonModels models);

  // One image. Alpha is kept; the output has the input's size unless options.long_side.
  Result<Image> process(const Image& input, const CartoonOptions& options,
                        CartoonReport* report = nullptr);

  // Images of one size (checked): the whole-frame pass runs as one batch on the device.
  // Either every image succeeds or the call fails.
  Result<std::vector<Image>> process_batch(const std::vector<const Image*>& inputs,
                                           const CartoonOptions& options,
                                           std::vector<CartoonReport>* reports = nullptr);

  const CartoonModels& models() const { return models_; }

 private:
  CartoonModels models_;
};

}  // namespace toonbox
