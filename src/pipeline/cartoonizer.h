// Whole-image cartoonization: image -> [-1,1] NHWC tensor (padded to the model's size
// multiple) -> Session -> cropped, clamped 8-bit RGB. Alpha is passed through
// unstylized. Works for any model with the White-box contract ([1,H,W,3] RGB in
// [-1,1] in and out), including the built-in style.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/device_select.h"
#include "engine/session.h"
#include "image/image.h"

namespace toonbox {

struct StylizeTimings {
  double preprocess_ms = 0;
  double postprocess_ms = 0;
  RunReport run;
  int tiles = 1;                   // tiles the image was cut into (1: whole)
  int batch = 1;                   // images in the device call this image was part of
  std::vector<std::string> notes;  // what was adapted and why (tile size, OOM retries)
};

struct StylizeOptions {
  // 0: automatic (the whole image when it fits the device's free memory, else tiles);
  // > 0: tiles of at most this many pixels a side; < 0: never tile.
  int tile_size = 0;
};

struct ModelSource {
  std::string name;         // "whitebox", "classic" (built-in) or a path
  std::string description;  // for the device/model line users see
  bool builtin = false;
  Graph graph;
  int size_multiple = 8;    // H and W are padded up to a multiple of this
  // Pixels of edge-replicated margin added on every side and cropped off afterwards, so
  // filters that see the border (zero padding) leave no frame. 0 keeps a model's own
  // border behaviour, which is what its reference implementation does.
  int margin = 0;
};

class Cartoonizer {
 public:
  Cartoonizer(ModelSource model, const DeviceSelection& device);

  Result<Image> stylize(const Image& input, StylizeTimings* timings = nullptr,
                        const StylizeOptions& options = {});

  // Images of one size (checked) in one device call where the model allows a batch.
  Result<std::vector<Image>> stylize_batch(const std::vector<const Image*>& inputs,
                                           StylizeTimings* timings = nullptr);

  const ModelSource& model() const { return model_; }

 private:
  ModelSource model_;
  Session session_;
};

// Image <-> tensor conversion, exposed for tests and other pipelines.
// Adds `margin` pixels on every side and pads bottom/right up to multiples of `multiple`,
// all by edge replication.
Tensor image_to_tensor_pm1(const Image& image, int multiple, int margin = 0);
// Crops width x height starting at (margin, margin) and maps [-1,1] to 0..255 with
// rounding and clamping.
Image tensor_pm1_to_image(const Tensor& tensor, int width, int height, int margin = 0);

}  // namespace toonbox
