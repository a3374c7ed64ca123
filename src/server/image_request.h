// The life of a one-image request, shared by POST /api/v1/cartoonize and
// /api/v1/upscale: the image from the body or the 'image' form field, the queue-room
// check, the pixel limit from the header, memory admission, decoding, the device queue
// with the client and the deadline watched, the error answers, encoding and the headers.
// What differs per task (its model, pipeline stage, memory estimate, output limit and
// file-name suffix) comes in an ImageTask.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "image/image.h"
#include "server/device_scheduler.h"
#include "server/http_message.h"

namespace toonbox::server {

class Server;

struct ImageTask {
  std::shared_ptr<pipeline::ModelRunner> runner;  // cartoonize's model (null for an upscale)
  PipelineStage stage;
  std::string model_name;
  Precision precision = Precision::kFloat32;
  image::ImageFormat format = image::ImageFormat::kPng;
  int quality = 92;
  std::string file_suffix;  // "-toon", "-x4"
  // Peak memory estimated from the header, before decoding.
  std::function<size_t(const image::ImageInfo&)> memory_bytes;
  // The output of a decoded width x height image must stay within the server's limits.
  std::function<Status(int width, int height)> check_output;
  // X-Toonbox-Mode when the task sets it ("restore"); "" = the pipeline's mode.
  std::string mode;
  // Called with a successful outcome before encoding (when set): adds the task's own
  // headers, or answers with an error instead of the image and returns false.
  std::function<bool(const WorkOutcome&, Response&)> on_result;
};

// For a task whose output is `scale` times its input on each side (upscale, restore with
// upscale=N): the 413 when the output would pass the server's pixel limit, and the
// estimate of the request's peak memory: cartoonize's with the output scale² bigger, plus
// `float_canvases` float RGB images of the output's size (tiles blending, TTA's sum,
// restore's paste canvas).
Status check_scaled_output(int width, int height, int scale, int64_t max_pixels);
size_t scaled_request_bytes(const image::ImageInfo& info, int scale, int tile_side,
                            double model_bytes_per_pixel, int float_canvases);

class ImageRequest {
 public:
  static void run(Server& s, const Request& req, Response& res, ImageTask task);
  // A client told to come back later should not hold a connection thread meanwhile.
  static void close_connection(Response& res);
};

}  // namespace toonbox::server
