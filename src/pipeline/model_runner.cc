#include "pipeline/model_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <new>

#include "core/timing.h"
#include "pipeline/image_tensor.h"
#include "pipeline/tiling.h"

namespace toonbox::pipeline {

namespace {

// Share of the free memory one device call may plan for: the rest is headroom for the
// cuDNN workspace, the weights, the host-side tensors and other processes.
constexpr double kMemoryFraction = 0.5;
// Side of the shape compiled to measure bytes per pixel when nothing has been compiled
// yet: a multiple of every model's size multiple, small enough to compile fast.
constexpr int kProbeSide = 256;
constexpr int kMinTileFloor = 128;

int multiple_of(const ModelSource& m) { return std::max(1, m.contract.size_multiple); }

// Item `item` of the model's output, cropped to width x height at (margin, margin).
Result<image::Image> output_image(const ModelSource& m, const Tensor& output, int64_t item,
                                  int width, int height) {
  TB_ASSIGN_OR_RETURN(OutputPixels px, OutputPixels::of(output, item, m.contract));
  return output_to_image(px, m.margin, m.margin, width, height);
}

// A stylization model returns one image per input image, of the padded input's size.
Status check_output(const ModelSource& m, const std::vector<Tensor>& outputs, const Shape& in) {
  if (outputs.size() == 1 && outputs[0].shape() == in) return Status::ok();
  return invalid_argument("model '" + m.name + "' returned " +
                          shape_to_string(outputs.empty() ? Shape{} : outputs[0].shape()) + ", expected " +
                          shape_to_string(in) + " (an image of the input's size)");
}

bool is_oom(const Status& s) { return s.code() == StatusCode::kOutOfMemory; }

// A compile that happened before the run that reports (Session::runs_pixels' check).
void add_compile(const engine::RunReport& from, engine::RunReport* to) {
  to->compiled = to->compiled || from.compiled;
  to->compile_ms += from.compile_ms;
}

std::string mib(double bytes) { return std::to_string(static_cast<long long>(bytes / (1 << 20))) + " MiB"; }

}  // namespace

ModelRunner::ModelRunner(ModelSource model, const engine::DeviceSelection& device)
    : model_(std::move(model)),
      session_(model_.graph, device.backend, device.precision,
               engine::SessionOptions{/*allow_batch=*/true}),
      pixels_on_device_(pixels_on_device_by_default()) {}

std::pair<int64_t, int64_t> ModelRunner::padded_size(int width, int height) const {
  const int m = multiple_of(model_);
  return {padded_extent(height, m, model_.margin), padded_extent(width, m, model_.margin)};
}

std::string ModelRunner::batch_unsupported() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return batch_unsupported_;
}

int ModelRunner::min_tile() const {
  const int m = multiple_of(model_);
  const int want = std::max(kMinTileFloor, 2 * model_.tile_overlap);
  return (want + m - 1) / m * m;
}

std::string ModelRunner::oom_words() const {
  return session_.backend().device().kind == backend::DeviceKind::kCuda ? "CUDA out of memory"
                                                                        : "out of memory";
}

void ModelRunner::remember_arena(const Shape& shape, size_t arena_bytes) {
  // N x H x W whichever the layout: the shape holds 3 channels.
  const double pixels = static_cast<double>(shape[0]) * shape[1] * shape[2] * shape[3] / 3.0;
  if (arena_bytes == 0 || pixels <= 0) return;
  std::lock_guard<std::mutex> lock(state_mutex_);
  bytes_per_pixel_ = static_cast<double>(arena_bytes) / pixels;
}

bool ModelRunner::bytes_per_pixel_unmeasured() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return bytes_per_pixel_ <= 0;
}

double ModelRunner::measured_bytes_per_pixel() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return bytes_per_pixel_;
}

Result<double> ModelRunner::bytes_per_pixel() {
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (bytes_per_pixel_ > 0) return bytes_per_pixel_;
    if (!probe_error_.is_ok()) return probe_error_;
  }
  const int64_t side = padded_extent(kProbeSide, multiple_of(model_), 0);
  const Shape probe = image_tensor_shape(model_.contract, 1, side, side);
  engine::RunReport report;
  if (Status s = session_.prepare({probe}, &report); !s.is_ok()) {
    // A model with fixed sizes cannot compile the probe: remember, do not retry per image.
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (!is_oom(s)) probe_error_ = s.with_context("measuring memory per pixel");
    return s;
  }
  remember_arena(probe, report.arena_bytes);
  std::lock_guard<std::mutex> lock(state_mutex_);
  if (bytes_per_pixel_ <= 0) return internal_error("the probe executable reported no arena");
  return bytes_per_pixel_;
}

Result<size_t> ModelRunner::memory_budget() {
  TB_ASSIGN_OR_RETURN(size_t free_bytes, session_.backend().free_memory());
  return static_cast<size_t>(static_cast<double>(free_bytes) * kMemoryFraction);
}

int ModelRunner::choose_tile(int width, int height, int batch, const StylizeOptions& options,
                             StylizeTimings* t) {
  if (options.tile_size < 0) return 0;
  const int m = multiple_of(model_);
  if (options.tile_size > 0) {
    if (options.tile_size >= width && options.tile_size >= height) return 0;
    const int tile = std::max(round_down_to_multiple(options.tile_size, m), min_tile());
    if (tile != options.tile_size)
      t->notes.push_back("tile size " + std::to_string(options.tile_size) + " adjusted to " +
                         std::to_string(tile) + " (multiple of " + std::to_string(m) + ", at least " +
                         std::to_string(min_tile()) + ")");
    return tile >= width && tile >= height ? 0 : tile;
  }
  // Automatic: measure before deciding; when memory cannot be measured run whole and
  // let the out-of-memory retry cut tiles if it must.
  auto budget = memory_budget();
  if (!budget.is_ok()) return 0;
  const auto [ph, pw] = padded_size(width, height);
  // Measuring compiles the model once more, at a probe size (on an H200 the White-box
  // cold start spent ~170 ms there, of 0.7 s); when twice the no-reuse bound fits, nothing
  // it could say would cut tiles, so the image runs whole without it.
  if (batch == 1 && bytes_per_pixel_unmeasured()) {
    auto bound = session_.unshared_activation_bytes({image_tensor_shape(model_.contract, 1, ph, pw)});
    if (bound.is_ok() && 2 * static_cast<double>(*bound) < static_cast<double>(*budget)) return 0;
  }
  auto bpp = bytes_per_pixel();
  if (!bpp.is_ok()) return 0;
  const int tile = auto_tile_side(static_cast<int>(pw), static_cast<int>(ph), *bpp * batch,
                                  *budget, m, min_tile());
  if (tile == 0 || (tile >= width && tile >= height)) return 0;
  t->notes.push_back("tiles of " + std::to_string(tile) + " px: the whole " + std::to_string(width) + "x" +
                     std::to_string(height) + " image needs ~" + mib(*bpp * pw * ph * batch) +
                     " of working memory, " + mib(static_cast<double>(*budget) / kMemoryFraction) +
                     " free");
  return tile;
}

int ModelRunner::batch_that_fits(int width, int height, int n) {
  auto budget = memory_budget();
  auto bpp = budget.is_ok() ? bytes_per_pixel() : Result<double>(budget.status());
  if (!budget.is_ok() || !bpp.is_ok()) return n;
  const auto [ph, pw] = padded_size(width, height);
  const double per_image = *bpp * static_cast<double>(pw) * ph;
  return std::clamp(static_cast<int>(static_cast<double>(*budget) / per_image), 1, n);
}

Result<bool> ModelRunner::run_pixels(const std::vector<const image::Image*>& inputs,
                                     std::vector<image::Image>* outputs, StylizeTimings* t,
                                     engine::RunReport* compiled) {
  if (!pixels_on_device_) return false;
  const image::Image& first = *inputs[0];
  const auto [h, w] = padded_size(first.width, first.height);
  const Shape shape = image_tensor_shape(model_.contract, static_cast<int64_t>(inputs.size()), h, w);
  Shape output_shape;
  TB_ASSIGN_OR_RETURN(bool can, session_.runs_pixels(shape, &output_shape, compiled));
  // A stylization model returns an image of its input's size (check_output): anything
  // else goes the host way, which says what the model returned.
  if (!can || output_shape != shape) return false;
  auto t0 = std::chrono::steady_clock::now();
  backend::PixelBatch batch;
  batch.width = first.width;
  batch.height = first.height;
  std::vector<image::Image> images(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    images[i].width = first.width;
    images[i].height = first.height;
    images[i].rgb.resize(static_cast<size_t>(first.width) * first.height * 3);
    batch.inputs.push_back(inputs[i]->rgb.data());
    batch.outputs.push_back(images[i].rgb.data());
  }
  t->preprocess_ms += ms_since(t0);
  Status ran = session_.run_pixels(shape, pixel_conversion(model_.contract, model_.margin), batch, &t->run);
  if (ran.code() == StatusCode::kInvalidArgument) return false;
  TB_RETURN_IF_ERROR(ran);
  remember_arena(shape, t->run.arena_bytes);
  for (size_t i = 0; i < inputs.size(); ++i) images[i].alpha = inputs[i]->alpha;
  *outputs = std::move(images);
  return true;
}

Result<image::Image> ModelRunner::run_whole(const image::Image& input, StylizeTimings* t) {
  std::vector<image::Image> on_device;
  engine::RunReport
      compiled;  // by run_pixels' check; the run after it (either path) compiles nothing
  TB_ASSIGN_OR_RETURN(bool done, run_pixels({&input}, &on_device, t, &compiled));
  if (done) {
    add_compile(compiled, &t->run);
    t->tiles = 1;
    return std::move(on_device[0]);
  }
  auto t0 = std::chrono::steady_clock::now();
  Tensor x = image_to_tensor(input, model_.contract, model_.margin);
  t->preprocess_ms += ms_since(t0);
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, session_.run({x}, &t->run));
  add_compile(compiled, &t->run);
  remember_arena(x.shape(), t->run.arena_bytes);
  TB_RETURN_IF_ERROR(check_output(model_, outputs, x.shape()));
  t0 = std::chrono::steady_clock::now();
  TB_ASSIGN_OR_RETURN(image::Image out,
                      output_image(model_, outputs[0], 0, input.width, input.height));
  t->postprocess_ms += ms_since(t0);
  t->tiles = 1;
  return out;
}

Result<image::Image> ModelRunner::run_tiled(const image::Image& input, int tile,
                                            StylizeTimings* t) {
  const TilePlan plan =
      plan_tiles(input.width, input.height, tile, model_.tile_overlap, multiple_of(model_));
  TileBlender blender(plan);
  engine::RunReport total;
  for (size_t i = 0; i < plan.count(); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    Tensor x = image_to_tensor(crop_image(input, plan.rect(i)), model_.contract, model_.margin);
    t->preprocess_ms += ms_since(t0);
    engine::RunReport report;
    TB_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, session_.run({x}, &report));
    remember_arena(x.shape(), report.arena_bytes);
    TB_RETURN_IF_ERROR(check_output(model_, outputs, x.shape()));
    t0 = std::chrono::steady_clock::now();
    TB_ASSIGN_OR_RETURN(OutputPixels px, OutputPixels::of(outputs[0], 0, model_.contract));
    blender.add(i, px, model_.margin);
    t->postprocess_ms += ms_since(t0);
    total.compiled = total.compiled || report.compiled;
    total.compile_ms += report.compile_ms;
    total.timings.upload_ms += report.timings.upload_ms;
    total.timings.compute_ms += report.timings.compute_ms;
    total.timings.download_ms += report.timings.download_ms;
    total.arena_bytes = report.arena_bytes;
  }
  auto t0 = std::chrono::steady_clock::now();
  image::Image out = blender.finish();
  t->postprocess_ms += ms_since(t0);
  t->run = total;
  t->tiles = static_cast<int>(plan.count());
  return out;
}

Result<image::Image> ModelRunner::stylize(const image::Image& input, StylizeTimings* timings,
                                          const StylizeOptions& options) {
  if (input.width <= 0 || input.height <= 0) return invalid_argument("empty image");
  StylizeTimings local;
  int tile = choose_tile(input.width, input.height, 1, options, &local);
  for (;;) {
    Result<image::Image> out =
        tile == 0 ? run_whole(input, &local) : run_tiled(input, tile, &local);
    if (out.is_ok() || !is_oom(out.status()) || options.tile_size < 0) {
      if (!out.is_ok()) return out.status();
      image::Image image = std::move(out).value();
      image.alpha = input.alpha;  // alpha is passed through unstylized
      if (timings) *timings = std::move(local);
      return image;
    }
    // Out of memory: free the executables we hold and try tiles half the size, down to
    // min_tile(). One OOM must not fail a request that smaller tiles can serve.
    const int current = tile == 0 ? std::max(input.width, input.height) : tile;
    const int next =
        std::max(round_down_to_multiple(current / 2, multiple_of(model_)), min_tile());
    if (current <= min_tile()) {
      return out.status().with_context(oom_words() + " even at " + std::to_string(current) +
                                       " px tiles, the smallest this model is cut into");
    }
    session_.release();
    local.notes.push_back(oom_words() + " at " +
                          (tile == 0 ? "the whole " + std::to_string(input.width) + "x" +
                                           std::to_string(input.height) + " image"
                                     : std::to_string(tile) + " px tiles") +
                          ": retried with " + std::to_string(next));
    tile = next;
  }
}

Result<std::vector<image::Image>> ModelRunner::run_batch(
    const std::vector<const image::Image*>& inputs, StylizeTimings* t) {
  std::vector<image::Image> on_device;
  engine::RunReport compiled;  // as in run_whole (a batch is usually compiled by prepare() already)
  TB_ASSIGN_OR_RETURN(bool done, run_pixels(inputs, &on_device, t, &compiled));
  if (done) {
    add_compile(compiled, &t->run);
    return on_device;
  }
  const image::Image& first = *inputs[0];
  const int64_t n = static_cast<int64_t>(inputs.size());
  const auto [h, w] = padded_size(first.width, first.height);
  auto t0 = std::chrono::steady_clock::now();
  Tensor x = make_image_tensor(model_.contract, n, h, w);
  for (int64_t i = 0; i < n; ++i) fill_image_tensor(*inputs[i], model_.contract, model_.margin, i, &x);
  t->preprocess_ms += ms_since(t0);
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, session_.run({x}, &t->run));
  add_compile(compiled, &t->run);
  remember_arena(x.shape(), t->run.arena_bytes);
  TB_RETURN_IF_ERROR(check_output(model_, outputs, x.shape()));
  t0 = std::chrono::steady_clock::now();
  std::vector<image::Image> images;
  for (int64_t i = 0; i < n; ++i) {
    TB_ASSIGN_OR_RETURN(image::Image image,
                        output_image(model_, outputs[0], i, first.width, first.height));
    image.alpha = inputs[i]->alpha;
    images.push_back(std::move(image));
  }
  t->postprocess_ms += ms_since(t0);
  return images;
}

Result<std::vector<image::Image>> ModelRunner::stylize_batch(
    const std::vector<const image::Image*>& inputs, StylizeTimings* timings,
    const StylizeOptions& options) {
  for (const image::Image* image : inputs) {
    if (image->width != inputs[0]->width || image->height != inputs[0]->height)
      return invalid_argument("stylize_batch: images of different sizes");
  }
  std::vector<image::Image> outputs;
  if (inputs.empty()) return outputs;
  StylizeTimings local;
  const int n = static_cast<int>(inputs.size());
  const image::Image& first = *inputs[0];
  if (first.width <= 0 || first.height <= 0) return invalid_argument("empty image");

  // Why this batch cannot be one call, or "" when it can.
  std::string one_at_a_time;
  if (n > 1) {
    one_at_a_time = batch_unsupported();
    StylizeTimings scratch;  // the single runs note their own tile sizes
    if (one_at_a_time.empty() && choose_tile(first.width, first.height, 1, options, &scratch) != 0)
      one_at_a_time = "the images need tiles";
  }
  int chunk = one_at_a_time.empty() ? n : 1;
  if (chunk > 1 && options.tile_size == 0) {
    chunk = batch_that_fits(first.width, first.height, n);
    if (chunk < n)
      local.notes.push_back("batch of " + std::to_string(n) + " split into calls of " + std::to_string(chunk) +
                            " to fit free memory");
  }
  int largest_call = 1;
  for (int i = 0; i < n;) {
    const int k = std::min(chunk, n - i);
    if (k == 1) {
      StylizeTimings single;
      TB_ASSIGN_OR_RETURN(image::Image out, stylize(*inputs[i], &single, options));
      outputs.push_back(std::move(out));
      local.preprocess_ms += single.preprocess_ms;
      local.postprocess_ms += single.postprocess_ms;
      local.run = single.run;
      local.tiles = single.tiles;
      for (auto& note : single.notes) local.notes.push_back(std::move(note));
      ++i;
      continue;
    }
    const std::vector<const image::Image*> part(inputs.begin() + i, inputs.begin() + i + k);
    const auto [ph, pw] = padded_size(first.width, first.height);
    const Shape shape = image_tensor_shape(model_.contract, k, ph, pw);
    // Compile first: a model that cannot take a batch says so here (specialize's batch
    // check), and we remember it rather than trying again with every request.
    engine::RunReport compiled;
    Status prepared = session_.prepare({shape}, &compiled);
    if (!prepared.is_ok() && !is_oom(prepared)) {
      std::lock_guard<std::mutex> lock(state_mutex_);
      batch_unsupported_ = prepared.message();
      one_at_a_time = batch_unsupported_;
      chunk = 1;
      continue;
    }
    Result<std::vector<image::Image>> ran =
        prepared.is_ok() ? run_batch(part, &local) : Result<std::vector<image::Image>>(prepared);
    if (!ran.is_ok()) {
      if (!is_oom(ran.status())) return ran.status();
      session_.release();
      chunk = k / 2;
      local.notes.push_back(oom_words() + " with a batch of " + std::to_string(k) + ": retried with " +
                            std::to_string(chunk));
      continue;
    }
    // The compile happened in prepare(), so the run itself reports none: carry it over,
    // or a batch's first call would claim it compiled nothing (bench, --timings).
    local.run.compiled = local.run.compiled || compiled.compiled;
    local.run.compile_ms += compiled.compile_ms;
    for (image::Image& image : ran.value()) outputs.push_back(std::move(image));
    largest_call = std::max(largest_call, k);
    i += k;
  }
  if (!one_at_a_time.empty() && n > 1)
    local.notes.push_back("batch of " + std::to_string(n) + " ran one image at a time: " + one_at_a_time);
  local.batch = largest_call;
  if (timings) *timings = std::move(local);
  return outputs;
}

}  // namespace toonbox::pipeline
