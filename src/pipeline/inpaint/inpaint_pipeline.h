// `toonbox inpaint`: remove what a mask marks and fill it from the rest of the photo,
// with the built-in classical methods (classical_inpaint.h) or an inpainting network
// (inpaint_network.h), with IOPaint's strategies for large images:
//
//   crop      (default) one box per region of holes, grown by a margin, each filled on
//             its own and pasted back; images whose long side is at most the trigger
//             (800 px, IOPaint's) run whole. A small watermark on a 24-megapixel photo
//             costs about what its box costs.
//   resize    the image scaled so its long side is at most the limit (1280 px), filled,
//             scaled back; only the holes take the scaled result.
//   original  the whole image at its size.
//
// Whatever the method, every pixel outside the (dilated) mask is the input's, bit for bit:
// the method's result is pasted into the holes only. Alpha passes through.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "engine/session.h"
#include "image/image.h"
#include "models/model_contract.h"
#include "models/registry.h"
#include "pipeline/inpaint/classical_inpaint.h"
#include "pipeline/inpaint/inpaint_mask.h"
#include "pipeline/inpaint/inpaint_network.h"

namespace toonbox::pipeline {

enum class InpaintStrategy { kCrop, kResize, kOriginal };
Result<InpaintStrategy> parse_inpaint_strategy(const std::string& s);  // "crop", "resize", "original"
const char* inpaint_strategy_name(InpaintStrategy s);

struct InpaintOptions {
  InpaintStrategy strategy = InpaintStrategy::kCrop;
  int radius = 4;          // classical methods' neighbourhood (IOPaint's cv2 default)
  int crop_margin = 128;   // IOPaint's hd_strategy_crop_margin
  int crop_trigger = 800;  // IOPaint's hd_strategy_crop_trigger_size
  int resize_limit = 1280; // IOPaint's hd_strategy_resize_limit
};

struct InpaintReport {
  int64_t hole_pixels = 0;
  int regions = 0;                 // method calls (boxes with crop, else 1)
  int64_t processed_pixels = 0;    // pixels the method ran on, summed over calls
  std::string strategy_used;       // "crop (3 boxes)", "whole image", "resize to 1280x853"
  double method_ms = 0;            // time in the method (network or classical)
  double compile_ms = 0;
  std::vector<std::string> notes;  // what was adapted and why
};

// What fills the holes: a classical method, or a network with its contract.
struct InpaintModel {
  std::string name;         // "telea", "ns", an installed name or a path
  std::string description;
  bool classical = true;
  ClassicalMethod method = ClassicalMethod::kTelea;
  graph::Graph graph;
  models::ImageContract contract;
  std::string contract_how;
  InpaintInputs inputs;
};

// "telea" / "ns", an installed inpainter's name, or a model file. A network needs a mask
// convention: the registry's, what `models import --mask-convention` recorded, or
// `flags.mask`; without one it is refused (the convention cannot be read off a graph).
// Empty `spec`: the first installed inpainter, else telea (with a note).
Result<InpaintModel> load_inpaint_model(const std::string& spec,
                                        const models::ContractOverrides& flags, std::string* note);
// For names that come from clients (the server): telea, ns or an installed inpainter,
// never a path.
Result<InpaintModel> load_installed_inpaint_model(const std::string& name);

class InpaintPipeline {
 public:
  // `backend` may be null for classical models.
  InpaintPipeline(InpaintModel model, std::shared_ptr<backend::Backend> backend,
                  Precision precision);

  // `mask` has the image's size and is already dilated. An empty mask returns the image
  // unchanged (the caller decides whether to write it).
  Result<image::Image> inpaint(const image::Image& image, const InpaintMask& mask,
                               const InpaintOptions& options, InpaintReport* report);

  const InpaintModel& model() const { return model_; }

 private:
  // Fills the holes of one window (at any size) by the model; every pixel of the result
  // that is not a hole is the window's own.
  Result<image::Image> fill(const image::Image& window, const InpaintMask& mask,
                            const InpaintOptions& options, InpaintReport* report);
  Result<image::Image> fill_resized(const image::Image& window, const InpaintMask& mask, int limit,
                                    const InpaintOptions& options, InpaintReport* report);

  InpaintModel model_;
  std::unique_ptr<engine::Session> session_;
};

// The boxes the crop strategy runs: each region's bounding box grown by `margin` and
// clamped to the image, overlapping boxes merged (so no hole is filled twice from
// different context).
std::vector<PixelBox> crop_boxes(const InpaintMask& mask, int margin);

}  // namespace toonbox::pipeline
