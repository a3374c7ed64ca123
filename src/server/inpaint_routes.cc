#include "server/inpaint_routes.h"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <chrono>
#include <map>
#include <memory>

#include "image/image_io.h"
#include "models/registry.h"
#include "pipeline/inpaint/inpaint_pipeline.h"
#include "server/api_errors.h"
#include "server/image_ops.h"
#include "server/server.h"

namespace toonbox::server {

namespace {

using Clock = std::chrono::steady_clock;

// Requests filling at once; more are told to come back (429), as a full device queue.
constexpr int kMaxInpaintInFlight = 4;
// Bytes per pixel at the peak: decoded image (3) and mask image (3), the mask and its
// dilation (2), the result (3) and its encoding (~3), the classical methods' grid
// (state 1 + T 4, twice for Telea) or a network's float tensors (4 channels x 4 bytes x 2).
constexpr size_t kBytesPerPixel = 48;

bool parse_int(const std::string& s, int lo, int hi, int* out) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// One pipeline per model, made on first use; one request at a time uses each.
struct CachedPipeline {
  std::mutex mutex;
  std::unique_ptr<pipeline::InpaintPipeline> pipeline;
};
std::mutex cache_mutex;
std::map<std::string, std::shared_ptr<CachedPipeline>> cache;
std::atomic<int> in_flight{0};

Result<std::shared_ptr<CachedPipeline>> pipeline_for(const std::string& name,
                                                     const engine::DeviceSelection& device) {
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto& slot = cache[name];
  if (slot) return slot;
  auto model = pipeline::load_installed_inpaint_model(name);
  if (!model.is_ok()) {
    cache.erase(name);
    return model.status();
  }
  auto cached = std::make_shared<CachedPipeline>();
  cached->pipeline = std::make_unique<pipeline::InpaintPipeline>(std::move(model).value(),
                                                                 device.backend, device.precision);
  slot = cached;
  return slot;
}

}  // namespace

const std::vector<std::string>& inpaint_param_names() {
  static const std::vector<std::string> kNames = {"model", "radius", "dilate", "strategy", "resize_mask",
                                                  "format", "quality"};
  return kNames;
}

Result<InpaintParams> parse_inpaint_params(const Fields& fields) {
  InpaintParams p;
  Fields encoding;  // format and quality mean what they mean for cartoonize
  for (const auto& [name, value] : fields) {
    if (name == "model") {
      if (value != "default" && !models::valid_model_name(value))
        return invalid_argument("model: '" + value.substr(0, 80) + "' is not a model name (telea, ns or an "
                                "installed inpainter)");
      p.model = value;
    } else if (name == "radius") {
      if (!parse_int(value, 1, 100, &p.radius))
        return invalid_argument("radius must be an integer 1..100, got '" + value.substr(0, 40) + "'");
    } else if (name == "dilate") {
      if (!parse_int(value, 0, pipeline::kMaxDilate, &p.dilate))
        return invalid_argument("dilate must be an integer 0.." +
                                std::to_string(pipeline::kMaxDilate) + ", got '" +
                                value.substr(0, 40) + "'");
    } else if (name == "strategy") {
      TB_RETURN_IF_ERROR(pipeline::parse_inpaint_strategy(value).status());
      p.strategy = value;
    } else if (name == "resize_mask") {
      if (value != "0" && value != "1" && value != "true" && value != "false")
        return invalid_argument("resize_mask must be 0, 1, true or false, got '" + value.substr(0, 40) + "'");
      p.resize_mask = value == "1" || value == "true";
    } else if (name == "format" || name == "quality") {
      encoding.emplace_back(name, value);
    } else {
      std::string known;
      for (const std::string& n : inpaint_param_names()) known += (known.empty() ? "" : ", ") + n;
      return invalid_argument("unknown parameter '" + name.substr(0, 40) + "' (known: " + known + ")");
    }
  }
  TB_ASSIGN_OR_RETURN(CartoonizeParams enc, parse_cartoonize_params(encoding));
  p.format = enc.format;
  p.quality = enc.quality;
  return p;
}

void InpaintRoutes::inpaint(Server& s, const Request& req, Response& res) {
  const auto t_start = Clock::now();
  if (!req.is_multipart_form_data())
    return set_error(res, invalid_argument("send the photo and the mask as multipart/form-data fields 'image' and "
                                           "'mask' (or mask=alpha)"));
  // 1. Parameters (query, then form fields), the photo and the mask.
  Fields fields;
  for (const auto& [k, v] : req.params) fields.emplace_back(k, v);
  const FormPart* image_part = nullptr;
  const FormPart* mask_part = nullptr;
  bool from_alpha = false;
  for (const auto& [name, part] : req.files) {
    if (name == "image") {
      if (image_part) return set_error(res, invalid_argument("one image per request"));
      image_part = &part;
    } else if (name == "mask" && part.filename.empty() && part.content == "alpha") {
      from_alpha = true;
    } else if (name == "mask") {
      if (mask_part) return set_error(res, invalid_argument("one mask per request"));
      mask_part = &part;
    } else if (part.filename.empty()) {
      if (part.content.size() > 200) return set_error(res, invalid_argument("form field '" + name.substr(0, 40) +
                                                                             "' is too long"));
      fields.emplace_back(name, part.content);
    } else {
      return set_error(res, invalid_argument("unexpected file field '" + name.substr(0, 40) + "' (send 'image' and "
                                             "'mask')"));
    }
  }
  auto params = parse_inpaint_params(fields);
  if (!params.is_ok()) return set_error(res, params.status());
  if (!image_part || image_part->content.empty())
    return set_error(res, invalid_argument("no image: send the photo in a form field named 'image'"));
  if (!from_alpha && (!mask_part || mask_part->content.empty()))
    return set_error(res, invalid_argument("no mask: send it in a form field named 'mask' (white = remove), or "
                                           "mask=alpha to use the photo's transparent pixels"));

  // 2. Room, the pixel limit and memory from the headers, before any pixel memory.
  struct Slot {
    bool taken = false;
    ~Slot() { if (taken) --in_flight; }
  } slot;
  if (++in_flight > kMaxInpaintInFlight) {
    --in_flight;
    return s.queue_full(res);
  }
  slot.taken = true;
  const auto* data = reinterpret_cast<const uint8_t*>(image_part->content.data());
  auto info = image::probe_image(data, image_part->content.size());
  if (!info.is_ok()) return set_error(res, explain_decode_error(info.status()));
  if (static_cast<int64_t>(info->width) * info->height > s.config_.max_pixels) {
    s.metrics_.record_rejected("too_large");
    return set_error(res, resource_exhausted("the image is " + std::to_string(info->width) + "x" +
                                             std::to_string(info->height) + ", over the server's limit of " +
                                             std::to_string(s.config_.max_pixels) + " pixels"));
  }
  const size_t need = static_cast<size_t>(info->width) * info->height * kBytesPerPixel;
  if (need > s.config_.max_request_bytes) {
    s.metrics_.record_rejected("too_large");
    return set_error(res, over_request_memory(*info, need, s.config_.max_request_bytes));
  }
  MemoryBudget::Reservation memory = s.memory_->try_reserve(need);
  if (!memory) {
    s.metrics_.record_rejected("memory_busy");
    res.set_header("Retry-After", "1");
    return set_error(res, 429, "memory_busy", "the server's memory budget is taken by the requests in progress; "
                                              "retry in a moment");
  }
  image::DecodeOptions decode;
  decode.max_pixels = s.config_.max_pixels;
  const auto t_decode = Clock::now();
  auto image = image::decode_image(data, image_part->content.size(), decode);
  if (!image.is_ok()) return set_error(res, explain_decode_error(image.status()));
  Result<image::Image> mask_image = image::Image{};
  if (!from_alpha) {
    mask_image = image::decode_image(reinterpret_cast<const uint8_t*>(mask_part->content.data()),
                                     mask_part->content.size(), decode);
    if (!mask_image.is_ok())
      return set_error(res, explain_decode_error(mask_image.status()).with_context("the mask"));
  }
  const double decode_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_decode).count();
  auto mask =
      pipeline::mask_for_image(*image, from_alpha ? nullptr : &mask_image.value(),
                               params->resize_mask, params->dilate, "the mask", "the image");
  if (!mask.is_ok()) return set_error(res, mask.status());
  if (mask->empty())
    return set_error(res, invalid_argument("nothing to do: the mask marks no pixel (white, or transparent with "
                                           "mask=alpha, is removed)"));

  // 3. Fill (one request per model at a time), encode, answer.
  auto cached = pipeline_for(params->model, s.device_);
  if (!cached.is_ok()) return set_error(res, cached.status());
  pipeline::InpaintOptions options;
  options.radius = params->radius;
  options.strategy = pipeline::parse_inpaint_strategy(params->strategy).value();
  pipeline::InpaintReport report;
  const auto t_fill = Clock::now();
  Result<image::Image> result = image::Image{};
  {
    std::lock_guard<std::mutex> lock((*cached)->mutex);
    result = (*cached)->pipeline->inpaint(*image, *mask, options, &report);
  }
  const double fill_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_fill).count();
  if (!result.is_ok()) {
    if (result.status().code() == StatusCode::kOutOfMemory) {
      res.set_header("Retry-After", "1");
      return set_error(res, 503, "out_of_memory", "the device ran out of memory for this image: " +
                                                      result.status().message() + ". The server is still running.");
    }
    return set_error(res, result.status());
  }
  const auto t_encode = Clock::now();
  auto encoded =
      image::encode_image(*result, image::EncodeOptions{params->format, params->quality});
  if (!encoded.is_ok()) return set_error(res, encoded.status());
  const double encode_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_encode).count();
  const pipeline::InpaintModel& model = (*cached)->pipeline->model();
  res.set_header("X-Toonbox-Model", model.name);
  res.set_header("X-Toonbox-Device", model.classical ? "cpu" : s.device_.backend->device().id);
  res.set_header("X-Toonbox-Size", std::to_string(result->width) + "x" + std::to_string(result->height));
  res.set_header("X-Toonbox-Filled-Pixels", std::to_string(report.hole_pixels));
  res.set_header("X-Toonbox-Strategy", report.strategy_used);
  if (!report.notes.empty()) {
    std::string notes;
    for (const auto& n : report.notes) notes += (notes.empty() ? "" : "; ") + n;
    res.set_header("X-Toonbox-Notes", notes);
  }
  res.set_header("Server-Timing", "decode;dur=" + fixed1(decode_ms) + ", inpaint;dur=" + fixed1(fill_ms) +
                                      ", compile;dur=" + fixed1(report.compile_ms) + ", encode;dur=" +
                                      fixed1(encode_ms) + ", total;dur=" +
                                      fixed1(std::chrono::duration<double, std::milli>(Clock::now() - t_start).count()));
  const std::string client_name = image_part->filename.empty() ? "image" : image_part->filename;
  res.set_header("Content-Disposition", "inline; filename=\"" +
                                            download_name(client_name, "-clean", extension_for(params->format)) + "\"");
  res.set_header("Cache-Control", "no-store");
  res.set_content(reinterpret_cast<const char*>(encoded->data()), encoded->size(), mime_type_for(params->format));
}

}  // namespace toonbox::server
