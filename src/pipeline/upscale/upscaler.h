// The upscale task: an upscaler (a model whose contract has scale > 1) on whole images or
// tiles, with the model's own prepadding, a seamless blend at the output scale, shared
// whole-image statistics for models with global means (Real-CUGAN's SE blocks, see
// shared_statistics.h), optional test-time augmentation, and alpha upscaled apart.
//
//   image -> pad (prepadding reflect, size multiple) -> tiles of the padded input
//         -> [means over all tiles] -> network per tile -> blend at x scale
//         -> [8 flips/rotations averaged] -> RGB8, alpha resized bicubic
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/device_select.h"
#include "engine/session.h"
#include "image/image.h"
#include "pipeline/image_model.h"
#include "pipeline/upscale/shared_statistics.h"

namespace toonbox::pipeline {

struct UpscaleOptions {
  // 0: automatic (the whole image when it fits half the device's free memory, else
  // tiles); > 0: tiles of this many input pixels a side (rounded down to the model's
  // size multiple, at least kMinUpscaleTile); < 0: never tile.
  int tile_size = 0;
  bool tta = false;  // average the 8 flips/rotations (8x the time)
};

inline constexpr int kMinUpscaleTile = 64;
// Input pixels two neighbouring tiles share. realesr-animevideov3's receptive field is 18
// px a side (18 3x3 convolutions, zero-padded at a tile's cut edges); the blend band is
// half the overlap, centred, so every blended pixel is >= 8 px from its tile's cut edge
// and its weight fades out there (measured >= 45 dB against the whole image, docs/upscale.md).
inline constexpr int kUpscaleTileOverlap = 32;

struct UpscaleReport {
  int tiles = 1;           // per pass
  int passes = 1;          // network passes over the image (1 + shared-mean levels when tiled)
  int runs = 1;            // 8 with --tta
  double compile_ms = 0, compute_ms = 0, upload_ms = 0, download_ms = 0;
  size_t arena_bytes = 0;  // the largest compiled shape's
  std::vector<std::string> notes;
};

// Loads `spec` (name or path, as `run`) and checks that its contract is an upscaler's.
Result<ImageModel> load_upscale_model(const std::string& spec, const std::string& weights = "");

// The registry's default upscaler for a scale: realesr-animevideov3-x2/x3/x4.
Result<std::string> default_upscaler_name(int scale);

class Upscaler;
// What `upscale` (CLI, folders, server, bench, `cartoonize --upscale`) loads: `spec` (a
// name or path; empty: the default for `scale`, x4 when `scale` is 0) on `device`. A
// `scale` the model does not make is refused here, before any image is read.
Result<std::unique_ptr<Upscaler>> load_upscaler(const std::string& spec, int scale,
                                                const std::string& weights,
                                                const engine::DeviceSelection& device);

class Upscaler {
 public:
  Upscaler(ImageModel model, std::string name, const engine::DeviceSelection& device);

  int scale() const { return contract_.scale; }
  const models::ImageContract& contract() const { return contract_; }
  const std::string& name() const { return name_; }
  const engine::DeviceSelection& device() const { return device_; }
  // As ModelRunner's: pixels converted on the device where the backend can (default,
  // unless TOONBOX_PIXELS_ON_DEVICE=0), else on the host; the same bytes either way.
  void set_pixels_on_device(bool on) { pixels_on_device_ = on; }
  bool has_shared_statistics() const { return stats_.count() > 0; }
  // Activation arena per input pixel of the whole graph, once measured (automatic tiles);
  // 0 before (the server's memory estimate then uses its default).
  double measured_bytes_per_pixel() const { return bytes_per_pixel_; }

  Result<image::Image> upscale(const image::Image& input, const UpscaleOptions& options = {},
                               UpscaleReport* report = nullptr);

 private:
  struct Canvas {
    int width = 0, height = 0;
    std::vector<float> rgb;  // 0..255, not rounded
  };
  Result<Canvas> run_once(const image::Image& rgb, int tile_side, UpscaleReport* report);
  // The whole image in one call through Session::run_pixels (the device converts the
  // pixels: an x4 1080p output is 100 M floats the host would otherwise convert and
  // blend); false when the backend cannot, or the model's output is not x scale.
  Result<bool> run_whole_pixels(const image::Image& rgb, image::Image* out, UpscaleReport* report);
  Result<int> choose_tile(int width, int height, const UpscaleOptions& options, UpscaleReport* report);
  Result<std::vector<Tensor>> run_session(engine::Session& s, const std::vector<Tensor>& in,
                                          UpscaleReport* report);
  engine::Session& level_session(size_t k);
  engine::Session& final_session();

  std::string name_;
  engine::DeviceSelection device_;
  models::ImageContract contract_;
  graph::Graph graph_;
  engine::Session whole_;
  SharedStatistics stats_;
  std::vector<std::unique_ptr<engine::Session>> level_sessions_;
  std::unique_ptr<engine::Session> final_session_;
  bool pixels_on_device_;
  double bytes_per_pixel_ = 0;
};

}  // namespace toonbox::pipeline
