// Runs one image-to-image model whose output has the input's size (White-box, AnimeGANv3,
// the TransformerNet styles, the built-in style) on images: image -> tensor by the model's
// contract (layout, channel order, value range; padded to its size multiple) -> Session ->
// cropped, clamped 8-bit RGB, with batches of same-size images in one device call, tiles
// for images that do not fit, and out-of-memory retries. Alpha is passed through.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/device_select.h"
#include "engine/session.h"
#include "image/image.h"
#include "pipeline/model_source.h"

namespace toonbox::pipeline {

struct StylizeTimings {
  double preprocess_ms = 0;
  double postprocess_ms = 0;
  engine::RunReport run;
  int tiles = 1;                   // tiles the image was cut into (1: whole)
  int batch = 1;                   // images in the device call this image was part of
  std::vector<std::string> notes;  // what was adapted and why (tile size, OOM retries)
};

struct StylizeOptions {
  // 0: automatic (the whole image when it fits the device's free memory, else tiles);
  // > 0: tiles of at most this many pixels a side; < 0: never tile.
  int tile_size = 0;
};

class ModelRunner {
 public:
  ModelRunner(ModelSource model, const engine::DeviceSelection& device);

  Result<image::Image> stylize(const image::Image& input, StylizeTimings* timings = nullptr,
                               const StylizeOptions& options = {});

  // Images of one size (checked) in one device call on an [N,H,W,3] tensor where the
  // model allows a batch (timings->batch says how many ran together). Falls back to one
  // at a time, with a note, when the model cannot take N > 1 (decided once, at its
  // first batched compile), when the images need tiles, or after an out-of-memory error
  // at a batch of 2. A batch that runs out of memory is halved and retried.
  Result<std::vector<image::Image>> stylize_batch(const std::vector<const image::Image*>& inputs,
                                                  StylizeTimings* timings = nullptr,
                                                  const StylizeOptions& options = {});

  // The padded [H, W] the model sees for a width x height image (margin, size multiple):
  // images with the same padded size share one compiled executable, and batch.
  std::pair<int64_t, int64_t> padded_size(int width, int height) const;

  const ModelSource& model() const { return model_; }
  // Whether pixels are converted on the device where the backend can (default: yes,
  // unless TOONBOX_PIXELS_ON_DEVICE=0); off, they are converted on the host. Both give
  // the same bytes (tests/unit/cuda_pixels_test.cc); the device path is the fast one.
  void set_pixels_on_device(bool on) { pixels_on_device_ = on; }
  // Why batches run one image at a time ("" while batching works or is untried).
  std::string batch_unsupported() const;

  // Working memory per padded pixel as last measured (a compiled executable's arena over
  // its pixels), 0 before the first compile. Never compiles: for callers that budget
  // memory before a request runs (the server's admission control).
  double measured_bytes_per_pixel() const;
  // Whether that working memory is a GPU's rather than the host's (the server's host
  // budget leaves it out: the device's own out-of-memory halving bounds it).
  bool works_in_device_memory() const { return session_.backend().device().kind != backend::DeviceKind::kCpu; }

  // The smallest tile an out-of-memory retry goes down to: twice the overlap (so the
  // blend bands fit), at least 128 px, a multiple of the model's size multiple.
  int min_tile() const;

 private:
  Result<image::Image> run_whole(const image::Image& input, StylizeTimings* t);
  // Same-size images through Session::run_pixels (the device converts the pixels); false
  // when the backend converts on the host, or the model's output is not an image of
  // its input's size (the host path then says what it is).
  // `compiled` says whether checking compiled the shape.
  Result<bool> run_pixels(const std::vector<const image::Image*>& inputs,
                          std::vector<image::Image>* outputs, StylizeTimings* t,
                          engine::RunReport* compiled);
  Result<image::Image> run_tiled(const image::Image& input, int tile, StylizeTimings* t);
  Result<std::vector<image::Image>> run_batch(const std::vector<const image::Image*>& inputs,
                                              StylizeTimings* t);
  // 0 for the whole image, else the tile side; notes say why.
  int choose_tile(int width, int height, int batch, const StylizeOptions& options, StylizeTimings* t);
  // Largest batch (<= n) whose working memory fits the free memory; n when unknown.
  int batch_that_fits(int width, int height, int n);
  // Working memory per padded pixel: measured from a compiled executable's arena.
  Result<double> bytes_per_pixel();
  bool bytes_per_pixel_unmeasured() const;
  Result<size_t> memory_budget();
  void remember_arena(const Shape& shape, size_t arena_bytes);
  std::string oom_words() const;  // "CUDA out of memory" / "out of memory"

  ModelSource model_;
  engine::Session session_;
  mutable std::mutex state_mutex_;
  double bytes_per_pixel_ = 0;     // 0 until measured
  Status probe_error_;             // a probe compile that failed for good (not OOM)
  std::string batch_unsupported_;  // set once a batched compile fails
  bool pixels_on_device_;
};

}  // namespace toonbox::pipeline
