#include "server/image_request.h"

#include <cstdio>

#include "core/timing.h"
#include "image/image_io.h"
#include "server/api_errors.h"
#include "server/image_ops.h"
#include "server/memory_budget.h"
#include "server/request_params.h"
#include "server/server.h"

namespace toonbox::server {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kClientClosedRequest = 499;

std::string fixed(double v, int digits = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

Status check_scaled_output(int w, int h, int scale, int64_t max_pixels) {
  const int64_t out = static_cast<int64_t>(w) * scale * static_cast<int64_t>(h) * scale;
  if (out > max_pixels)
    return resource_exhausted("the x" + std::to_string(scale) + " output of this " + std::to_string(w) + "x" +
                              std::to_string(h) + " image would be " + std::to_string(static_cast<int64_t>(w) * scale) +
                              "x" + std::to_string(static_cast<int64_t>(h) * scale) + ", over the server's limit of " +
                              std::to_string(max_pixels) + " pixels");
  return Status::ok();
}

size_t scaled_request_bytes(const image::ImageInfo& info, int scale, int tile_side,
                            double model_bytes_per_pixel, int float_canvases) {
  RequestMemory r;
  r.width = info.width;
  r.height = info.height;
  r.out_width = static_cast<int64_t>(info.width) * scale;
  r.out_height = static_cast<int64_t>(info.height) * scale;
  r.has_alpha = info.has_alpha;
  r.tile_side = tile_side;
  r.model_bytes_per_pixel = model_bytes_per_pixel;
  const double out_pixels = static_cast<double>(r.out_width) * static_cast<double>(r.out_height);
  return estimate_request_bytes(r) + static_cast<size_t>(out_pixels * 3 * sizeof(float) * float_canvases);
}

void ImageRequest::close_connection(Response& res) {
  // Closing now also avoids the keep-alive race (the server timing out the idle socket
  // just as the client sends its retry on it, which the client sees as a reset).
  res.set_header("Connection", "close");
  HttpServer::close_after_response();
}

void ImageRequest::run(Server& s, const Request& req, Response& res, ImageTask task) {
  const auto t_start = Clock::now();
  // 1. The image bytes.
  std::string_view bytes;
  std::string client_name = "image";
  if (req.is_multipart_form_data()) {
    const size_t n = req.files.count("image") + req.files.count("images");
    if (n != 1) {
      return set_error(res, invalid_argument(n == 0 ? "no image: send the file in a form field named 'image'"
                                                    : "one image per request; send many with POST /api/v1/jobs"));
    }
    const auto& part = req.files.count("image") ? req.files.find("image")->second : req.files.find("images")->second;
    bytes = part.content;
    if (!part.filename.empty()) client_name = part.filename;
  } else {
    bytes = req.body;
  }
  if (bytes.empty()) return set_error(res, invalid_argument("no image: the request body is empty"));

  // 2. Refuse early when no device is left or the queue is full, before decoding.
  if (s.scheduler_->live_devices() == 0) return s.no_device(res);
  if (!s.scheduler_->has_room(1)) return s.queue_full(res);

  // 3. The pixel limit from the header, before any pixel memory; then decode.
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  auto info = image::probe_image(data, bytes.size());
  if (!info.is_ok()) return set_error(res, explain_decode_error(info.status()));
  if (static_cast<int64_t>(info->width) * info->height > s.config_.max_pixels) {
    s.metrics_.record_rejected("too_large");
    return set_error(res, resource_exhausted("the image is " + std::to_string(info->width) + "x" +
                                             std::to_string(info->height) + " (" +
                                             fixed(static_cast<double>(info->width) * info->height / 1e6) +
                                             " megapixels), over the server's limit of " +
                                             fixed(s.config_.max_pixels / 1e6) + " megapixels"));
  }
  // 3b. Its memory, estimated from the header and reserved until the answer is ready.
  const size_t need = task.memory_bytes(*info);
  if (need > s.config_.max_request_bytes) {
    s.metrics_.record_rejected("too_large");
    return set_error(res, over_request_memory(*info, need, s.config_.max_request_bytes));
  }
  MemoryBudget::Reservation memory = s.memory_->try_reserve(need);
  if (!memory) {
    s.metrics_.record_rejected("memory_busy");
    close_connection(res);
    res.set_header("Retry-After", std::to_string(s.scheduler_->retry_after_s()));
    return set_error(res, 429, "memory_busy",
                     "the server's memory budget (" + human_bytes(static_cast<double>(s.memory_->total())) +
                         ") is taken by the requests in progress; this image needs about " +
                         human_bytes(static_cast<double>(need)) + ". Retry in a moment");
  }
  const auto t_decode = Clock::now();
  image::DecodeOptions decode;
  decode.max_pixels = s.config_.max_pixels;
  auto image = image::decode_image(data, bytes.size(), decode);
  if (!image.is_ok()) return set_error(res, explain_decode_error(image.status()));
  const double decode_ms = ms_since(t_decode);
  if (Status fits = task.check_output(image->width, image->height); !fits.is_ok()) return set_error(res, fits);

  // 4. Queue it and wait, watching the client and the deadline.
  const auto deadline = t_start + std::chrono::seconds(s.config_.request_timeout_s);
  auto item = std::make_shared<WorkItem>(task.runner, std::move(image).value(), task.model_name, deadline,
                                         std::move(task.stage));
  switch (s.scheduler_->try_push(item)) {
    case DeviceScheduler::Push::kOk: break;
    case DeviceScheduler::Push::kFull: return s.queue_full(res);
    case DeviceScheduler::Push::kNoDevice: return s.no_device(res);
    case DeviceScheduler::Push::kStopped:
      res.set_header("Retry-After", "5");
      return set_error(res, 503, "shutting_down", "the server is shutting down and takes no new work");
  }
  while (!item->wait_until(std::min(deadline, Clock::now() + std::chrono::milliseconds(25)))) {
    if (HttpServer::client_disconnected()) {
      // Nobody will read the answer: drop the work if it has not started. 499 (nginx's
      // "client closed request") is what the metrics record; nothing is sent.
      if (s.scheduler_->cancel(item, "client_disconnected")) {
        res.status = kClientClosedRequest;
        return;
      }
    }
    if (Clock::now() >= deadline) {
      const bool dropped = s.scheduler_->cancel(item, "timeout");
      return set_error(res, 504, "timeout",
                       "no result within the server's limit of " + std::to_string(s.config_.request_timeout_s) +
                           " s" + (dropped ? " (the image was still waiting in the queue and has been dropped)"
                                           : " (the device is still finishing it; the result will be discarded)"));
    }
  }
  const WorkOutcome& out = item->outcome();
  if (out.dropped) {
    return set_error(res, 504, "timeout", "the image was dropped before it ran: " + out.status.message());
  }
  if (!out.status.is_ok()) {
    // Its device failed and no device in rotation was left to retry it on.
    if (s.scheduler_->live_devices() == 0) return s.no_device(res, out.status.message());
    if (out.status.code() == StatusCode::kOutOfMemory) {
      // One image too big for the device's memory: this request fails, the server stays up.
      res.set_header("Retry-After", "1");
      return set_error(res, 503, "out_of_memory",
                       "the device (" + (out.device.empty() ? s.device_.backend->device().id : out.device) +
                           ") ran out of memory for this " +
                           std::to_string(item->input().width) + "x" + std::to_string(item->input().height) +
                           " image: " + out.status.message() +
                           ". The server is still running; a smaller image may work.");
    }
    return set_error(res, out.status);
  }
  if (HttpServer::client_disconnected()) {  // no one to encode for
    res.status = kClientClosedRequest;
    return;
  }

  if (task.on_result && !task.on_result(out, res)) return;

  // 5. Encoding (strength and size were the pipeline's); then the answer with what
  // happened in headers.
  const auto t_encode = Clock::now();
  auto encoded = image::encode_image(out.image, image::EncodeOptions{task.format, task.quality});
  if (!encoded.is_ok()) return set_error(res, encoded.status());
  const double encode_ms = ms_since(t_encode);
  const auto& run = out.timings.run;
  const bool upscale = task.stage.upscaler != nullptr;
  res.set_header("X-Toonbox-Model", task.model_name);
  res.set_header("X-Toonbox-Device", out.device.empty() ? s.device_.backend->device().id : out.device);
  if (out.attempts > 1) res.set_header("X-Toonbox-Attempts", std::to_string(out.attempts));
  res.set_header("X-Toonbox-Precision", precision_name(out.precision.value_or(task.precision)));
  res.set_header("X-Toonbox-Batch-Size", std::to_string(out.batch_size));
  res.set_header("X-Toonbox-Mode", !task.mode.empty() ? task.mode
                                   : upscale          ? "upscale"
                                                      : pipeline::cartoon_mode_name(out.mode_used));
  if (!upscale) res.set_header("X-Toonbox-Faces", std::to_string(out.faces));
  if (!out.notes.empty()) {
    std::string notes;  // header-safe: notes are our own ASCII text
    for (const auto& n : out.notes) notes += (notes.empty() ? "" : "; ") + n;
    res.set_header("X-Toonbox-Notes", notes);
  }
  res.set_header("X-Toonbox-Size", std::to_string(out.image.width) + "x" + std::to_string(out.image.height));
  // `pipeline` is everything the device worker spent on the image (its share of a
  // batch): the frame pass, face detection, heads and finishing; its parts follow.
  res.set_header("Server-Timing",
                 "decode;dur=" + fixed(decode_ms) + ", queue;dur=" + fixed(out.queue_ms) +
                     ", pipeline;dur=" + fixed(out.pipeline_ms) + ", compile;dur=" + fixed(run.compile_ms) +
                     ", inference;dur=" +
                     fixed(run.timings.upload_ms + run.timings.compute_ms + run.timings.download_ms) +
                     ", detect;dur=" + fixed(out.detect_ms) + ", heads;dur=" + fixed(out.heads_ms) +
                     ", encode;dur=" + fixed(encode_ms));
  res.set_header("Content-Disposition",
                 "inline; filename=\"" + download_name(client_name, task.file_suffix, extension_for(task.format)) + "\"");
  res.set_header("Cache-Control", "no-store");
  const std::vector<uint8_t>& body = encoded.value();
  res.set_content(reinterpret_cast<const char*>(body.data()), body.size(), mime_type_for(task.format));
}

}  // namespace toonbox::server
