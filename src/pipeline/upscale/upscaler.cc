#include "pipeline/upscale/upscaler.h"

#include <algorithm>
#include <cmath>

#include "compile/specialize.h"
#include "pipeline/image_tensor.h"
#include "pipeline/tiling.h"
#include "pipeline/upscale/dihedral.h"
#include "pipeline/upscale/upscale_padding.h"

namespace toonbox::pipeline {

namespace {

int round_up(int v, int m) { return (v + m - 1) / m * m; }

bool is_oom(const Status& s) { return s.code() == StatusCode::kOutOfMemory; }

// One device call's times and arena into the upscale's report.
void add_run(const engine::RunReport& rr, UpscaleReport* report) {
  report->compile_ms += rr.compile_ms;
  report->compute_ms += rr.timings.compute_ms;
  report->upload_ms += rr.timings.upload_ms;
  report->download_ms += rr.timings.download_ms;
  report->arena_bytes = std::max(report->arena_bytes, rr.arena_bytes);
}

// Spatial size of value `v` of a specialized graph, by layout.
std::pair<int64_t, int64_t> spatial_of(const Shape& s, graph::Layout layout) {
  return layout == graph::Layout::kNCHW ? std::make_pair(s[2], s[3]) : std::make_pair(s[1], s[2]);
}

// How much of the whole image's feature map (F pixels along this axis) each tile owns,
// as lengths from the tile's own feature origin. A tile's map is a window of the whole
// map starting at (tile start) x (feature pixels per input pixel); tile i owns up to
// where tile i + 1's window begins, the last one to the end. `input_gap`: whole padded
// input length minus a tile's; `f`: a tile's feature length.
Result<std::vector<int64_t>> owned_lengths(const AxisTiles& a, int64_t input_gap, int64_t F, int64_t f) {
  const size_t n = a.starts.size();
  if (n == 1) {
    if (f != F) return internal_error("one tile along an axis but its feature map differs from the image's");
    return std::vector<int64_t>{f};
  }
  const int64_t feature_gap = F - f;
  std::vector<int64_t> offset(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t num = static_cast<int64_t>(a.starts[i]) * feature_gap;
    if (input_gap <= 0 || num % input_gap != 0)
      return unimplemented("tiles cannot share the model's global means exactly: tile start " +
                           std::to_string(a.starts[i]) + " is not on the feature grid (" +
                           std::to_string(F) + " feature vs " + std::to_string(f) +
                           " per tile); run it whole (--tile -1)");
    offset[i] = num / input_gap;
  }
  std::vector<int64_t> owned(n);
  for (size_t i = 0; i < n; ++i) {
    owned[i] = (i + 1 < n ? offset[i + 1] : F) - offset[i];
    if (owned[i] < 0 || owned[i] > f || (i + 1 == n && owned[i] != f))
      return internal_error("tile feature windows do not cover the image's feature map");
  }
  return owned;
}

Tensor owned_mask(graph::Layout layout, int64_t fh, int64_t fw, int64_t own_h, int64_t own_w) {
  Tensor m(DType::kFloat32,
           layout == graph::Layout::kNCHW ? Shape{1, 1, fh, fw} : Shape{1, fh, fw, 1});
  float* d = m.data<float>();
  for (int64_t y = 0; y < fh; ++y)
    for (int64_t x = 0; x < fw; ++x) d[y * fw + x] = (y < own_h && x < own_w) ? 1.f : 0.f;
  return m;
}

}  // namespace

Result<ImageModel> load_upscale_model(const std::string& spec, const std::string& weights) {
  TB_ASSIGN_OR_RETURN(ImageModel m, load_image_model(spec, {}, weights));
  if (m.contract.scale < 2)
    return invalid_argument(spec + ": not an upscaler: its contract has no output scale (" + m.how +
                            "); upscale takes a model the registry knows as an upscaler, e.g. "
                            "realesr-animevideov3-x4 or realcugan-2x-conservative");
  return m;
}

Result<std::string> default_upscaler_name(int scale) {
  if (scale < 2 || scale > 4)
    return invalid_argument("-s must be 2, 3 or 4, got " + std::to_string(scale));
  return "realesr-animevideov3-x" + std::to_string(scale);
}

Result<std::unique_ptr<Upscaler>> load_upscaler(const std::string& spec, int scale,
                                                const std::string& weights,
                                                const engine::DeviceSelection& device) {
  std::string name = spec;
  if (name.empty()) {
    TB_ASSIGN_OR_RETURN(name, default_upscaler_name(scale == 0 ? 4 : scale));
  }
  TB_ASSIGN_OR_RETURN(ImageModel model, load_upscale_model(name, weights));
  if (scale != 0 && model.contract.scale != scale)
    return invalid_argument(name + " upscales x" + std::to_string(model.contract.scale) + ", not x" +
                            std::to_string(scale) + " (-s " + std::to_string(scale) +
                            "): leave out --model to get realesr-animevideov3-x" + std::to_string(scale) +
                            ", or pick a model that makes x" + std::to_string(scale));
  return std::make_unique<Upscaler>(std::move(model), name, device);
}

Upscaler::Upscaler(ImageModel model, std::string name, const engine::DeviceSelection& device)
    : name_(std::move(name)),
      device_(device),
      contract_(model.contract),
      graph_(model.graph),
      whole_(std::move(model.graph), device.backend, device.precision),
      stats_(SharedStatistics::find(graph_, model.contract.layout)),
      pixels_on_device_(pixels_on_device_by_default()) {}

engine::Session& Upscaler::level_session(size_t k) {
  if (level_sessions_.size() <= k) level_sessions_.resize(stats_.count());
  if (!level_sessions_[k])
    level_sessions_[k] = std::make_unique<engine::Session>(stats_.level_graph(k), device_.backend,
                                                           device_.precision);
  return *level_sessions_[k];
}

engine::Session& Upscaler::final_session() {
  if (!final_session_)
    final_session_ =
        std::make_unique<engine::Session>(stats_.final_graph(), device_.backend, device_.precision);
  return *final_session_;
}

Result<std::vector<Tensor>> Upscaler::run_session(engine::Session& s, const std::vector<Tensor>& in,
                                                  UpscaleReport* report) {
  engine::RunReport rr;
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> out, s.run(in, &rr));
  add_run(rr, report);
  if (out.empty()) return invalid_argument("the model returned no output");
  return out;
}

Result<int> Upscaler::choose_tile(int width, int height, const UpscaleOptions& options,
                                  UpscaleReport* report) {
  const int m = std::max(1, contract_.size_multiple), p = contract_.prepadding;
  const int min_tile = round_up(kMinUpscaleTile, m);
  if (options.tile_size < 0) return 0;
  if (options.tile_size > 0) {
    const int tile = std::max(round_down_to_multiple(options.tile_size, m), min_tile);
    return tile >= width && tile >= height ? 0 : tile;
  }
  TB_ASSIGN_OR_RETURN(size_t free_bytes, device_.backend->free_memory());
  if (bytes_per_pixel_ <= 0) {
    const int side = round_up(128, m) + 2 * p;
    engine::RunReport rr;
    TB_RETURN_IF_ERROR(whole_.prepare({image_tensor_shape(contract_, 1, side, side)}, &rr));
    bytes_per_pixel_ = static_cast<double>(rr.arena_bytes) / (static_cast<double>(side) * side);
    report->compile_ms += rr.compile_ms;
  }
  const int padded = auto_tile_side(round_up(width, m) + 2 * p, round_up(height, m) + 2 * p,
                                    bytes_per_pixel_, free_bytes / 2, m, min_tile + 2 * p);
  if (padded == 0) return 0;
  const int tile = std::max(round_down_to_multiple(padded - 2 * p, m), min_tile);
  report->notes.push_back("tiles of " + std::to_string(tile) + " px: the whole image needs more than half the free memory");
  return tile;
}

Result<bool> Upscaler::run_whole_pixels(const image::Image& rgb, image::Image* out,
                                        UpscaleReport* report) {
  if (!pixels_on_device_) return false;
  const int m = std::max(1, contract_.size_multiple), p = contract_.prepadding, s = contract_.scale;
  // The same input run_once builds for one tile: reflect prepadding, edge to the multiple.
  const image::Image padded = pad_image(rgb, p, round_up(rgb.width, m) - rgb.width,
                                        round_up(rgb.height, m) - rgb.height, p > 0);
  const Shape shape = image_tensor_shape(contract_, 1, padded.height, padded.width);
  Shape output_shape;
  engine::RunReport compiled;
  TB_ASSIGN_OR_RETURN(bool can, whole_.runs_pixels(shape, &output_shape, &compiled));
  // The compile happened in the check: the run after it (either path) reports none.
  report->compile_ms += compiled.compile_ms;
  if (!can) return false;
  image::Image result;
  result.width = rgb.width * s;
  result.height = rgb.height * s;
  result.rgb.resize(static_cast<size_t>(result.width) * result.height * 3);
  backend::PixelBatch batch;
  batch.width = padded.width;
  batch.height = padded.height;
  batch.out_width = result.width;
  batch.out_height = result.height;
  batch.inputs = {padded.rgb.data()};
  batch.outputs = {result.rgb.data()};
  engine::RunReport rr;
  const Status ran = whole_.run_pixels(shape, pixel_conversion(contract_, 0), batch, &rr);
  // Not x scale (a wrong registry scale): the host path says what the model returned.
  if (ran.code() == StatusCode::kInvalidArgument) return false;
  TB_RETURN_IF_ERROR(ran);
  add_run(rr, report);
  report->tiles = 1;
  *out = std::move(result);
  return true;
}

Result<Upscaler::Canvas> Upscaler::run_once(const image::Image& rgb, int tile_side,
                                            UpscaleReport* report) {
  const int m = std::max(1, contract_.size_multiple), p = contract_.prepadding, s = contract_.scale;
  const int wm = round_up(rgb.width, m), hm = round_up(rgb.height, m);
  const image::Image padded = pad_image(rgb, p, wm - rgb.width, hm - rgb.height, p > 0);
  const int side = tile_side > 0 ? tile_side : std::max(wm, hm);
  const TilePlan plan = plan_tiles(rgb.width, rgb.height, side, kUpscaleTileOverlap, m);
  const int crop_w = round_up(plan.xs.tile, m) + 2 * p, crop_h = round_up(plan.ys.tile, m) + 2 * p;
  report->tiles = static_cast<int>(plan.count());

  auto tile_input = [&](size_t i) {
    const TileRect r = plan.rect(i);
    Tensor t = make_image_tensor(contract_, 1, crop_h, crop_w);
    fill_image_tensor(crop_image(padded, {r.x, r.y, crop_w, crop_h}), contract_, 0, 0, &t);
    return t;
  };

  std::vector<Tensor> means;
  const bool share = stats_.count() > 0 && plan.count() > 1;
  if (share) {
    const graph::Graph probe = stats_.probe_graph();
    TB_ASSIGN_OR_RETURN(
        graph::Graph at_tile,
        compile::specialize(probe, {image_tensor_shape(contract_, 1, crop_h, crop_w)}));
    TB_ASSIGN_OR_RETURN(graph::Graph at_whole,
                        compile::specialize(probe, {image_tensor_shape(contract_, 1, padded.height,
                                                                       padded.width)}));
    for (size_t k = 0; k < stats_.count(); ++k) {
      const Shape& ft = at_tile.value(at_tile.outputs()[k]).shape;
      const auto [fh, fw] = spatial_of(ft, contract_.layout);
      const auto [Fh, Fw] = spatial_of(at_whole.value(at_whole.outputs()[k]).shape, contract_.layout);
      const int64_t channels = contract_.layout == graph::Layout::kNCHW ? ft[1] : ft[3];
      TB_ASSIGN_OR_RETURN(std::vector<int64_t> own_w, owned_lengths(plan.xs, padded.width - crop_w, Fw, fw));
      TB_ASSIGN_OR_RETURN(std::vector<int64_t> own_h, owned_lengths(plan.ys, padded.height - crop_h, Fh, fh));
      std::vector<double> sum(static_cast<size_t>(channels), 0.0);
      engine::Session& level = level_session(k);
      for (size_t i = 0; i < plan.count(); ++i) {
        std::vector<Tensor> in = {tile_input(i)};
        in.insert(in.end(), means.begin(), means.end());
        in.push_back(owned_mask(contract_.layout, fh, fw, own_h[i / plan.xs.starts.size()],
                                own_w[i % plan.xs.starts.size()]));
        TB_ASSIGN_OR_RETURN(std::vector<Tensor> out, run_session(level, in, report));
        if (out[0].numel() != channels) return internal_error("a shared-mean pass returned the wrong size");
        for (int64_t c = 0; c < channels; ++c) sum[c] += out[0].data<float>()[c];
      }
      // One level's executables at a time: their arenas are the size of the network's.
      level.release();
      Tensor mean(DType::kFloat32, contract_.layout == graph::Layout::kNCHW
                                       ? Shape{1, channels, 1, 1}
                                       : Shape{1, 1, 1, channels});
      for (int64_t c = 0; c < channels; ++c)
        mean.data<float>()[c] = static_cast<float>(sum[c] / (static_cast<double>(Fh) * Fw));
      means.push_back(std::move(mean));
    }
    report->passes = 1 + static_cast<int>(stats_.count());
  }

  const TilePlan out_plan = plan.scaled(s);
  TileBlender blender(out_plan);
  engine::Session& session = share ? final_session() : whole_;
  for (size_t i = 0; i < plan.count(); ++i) {
    std::vector<Tensor> in = {tile_input(i)};
    in.insert(in.end(), means.begin(), means.end());
    TB_ASSIGN_OR_RETURN(std::vector<Tensor> out, run_session(session, in, report));
    TB_ASSIGN_OR_RETURN(OutputPixels px, OutputPixels::of(out[0], 0, contract_));
    if (px.width() != static_cast<int64_t>(s) * (crop_w - 2 * p) ||
        px.height() != static_cast<int64_t>(s) * (crop_h - 2 * p))
      return invalid_argument("the model's output " + shape_to_string(out[0].shape()) + " is not x" +
                              std::to_string(s) + " its input " + shape_to_string(in[0].shape()) +
                              (p > 0 ? " less " + std::to_string(p) + " px prepadding a side" : std::string()) +
                              ": is the registry's scale right for this model?");
    blender.add(i, px, 0);
  }
  return Canvas{rgb.width * s, rgb.height * s, blender.canvas()};
}

Result<image::Image> Upscaler::upscale(const image::Image& input, const UpscaleOptions& options,
                                       UpscaleReport* report) {
  UpscaleReport local;
  UpscaleReport* r = report ? report : &local;
  *r = UpscaleReport{};
  if (input.width < 1 || input.height < 1) return invalid_argument("the image has no pixels");
  const int s = contract_.scale;
  TB_ASSIGN_OR_RETURN(int tile, choose_tile(input.width, input.height, options, r));
  const int runs = options.tta ? kDihedralCount : 1;
  if (runs == 1 && tile == 0) {
    image::Image out;
    Result<bool> done = run_whole_pixels(input, &out, r);
    if (!done.is_ok() && !is_oom(done.status())) return done.status();
    if (done.is_ok() && *done) {
      if (input.has_alpha())
        out.alpha = resize_plane_bicubic(input.alpha, input.width, input.height, out.width, out.height);
      return out;
    }
    // Out of memory on the whole image: the tiled host path below halves the tiles.
  }
  std::vector<float> sum(static_cast<size_t>(input.width) * s * input.height * s * 3, 0.f);
  for (int t = 0; t < runs; ++t) {
    const image::Image view = t == 0 ? image::Image{} : dihedral_transform(input, t);
    const image::Image& src = t == 0 ? input : view;
    Result<Canvas> canvas = run_once(src, tile, r);
    // Out of memory: smaller tiles, down to the smallest; one OOM must not fail a request
    // that smaller tiles can serve.
    while (!canvas.is_ok() && is_oom(canvas.status()) && options.tile_size >= 0) {
      const int current = tile > 0 ? tile : std::max(input.width, input.height);
      if (current <= kMinUpscaleTile) break;
      tile = std::max(round_down_to_multiple(current / 2, std::max(1, contract_.size_multiple)), kMinUpscaleTile);
      whole_.release();
      if (final_session_) final_session_->release();
      r->notes.push_back("out of memory: retried with " + std::to_string(tile) + " px tiles");
      canvas = run_once(src, tile, r);
    }
    if (!canvas.is_ok()) return canvas.status();
    add_dihedral_inverse(canvas->rgb, canvas->width, canvas->height, t, &sum);
  }
  r->runs = runs;
  image::Image out;
  out.width = input.width * s;
  out.height = input.height * s;
  out.rgb.resize(sum.size());
  for (size_t i = 0; i < sum.size(); ++i)
    out.rgb[i] = static_cast<uint8_t>(std::clamp(std::lround(sum[i] / runs), 0L, 255L));
  if (input.has_alpha())
    out.alpha = resize_plane_bicubic(input.alpha, input.width, input.height, out.width, out.height);
  if (options.tta) r->notes.push_back("--tta: the average of 8 flips/rotations");
  return out;
}

}  // namespace toonbox::pipeline
