// POST /api/v1/inpaint: a photo and a mask (multipart fields `image` and `mask`, or
// `mask=alpha` for the photo's transparent pixels) in, the photo with the masked pixels
// filled out; options as query or form fields (model, radius, dilate, strategy,
// resize_mask, format, quality). The same body, pixel and memory limits as cartoonize.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/http_message.h"
#include "server/request_params.h"

namespace toonbox::server {

class Server;

struct InpaintParams {
  std::string model = "default";  // telea, ns, an installed inpainter; default: the first, else telea
  int radius = 4;
  int dilate = 0;
  std::string strategy = "crop";
  bool resize_mask = false;
  bool mask_from_alpha = false;
  image::ImageFormat format = image::ImageFormat::kPng;
  int quality = 92;
};

Result<InpaintParams> parse_inpaint_params(const Fields& fields);
// The names parse_inpaint_params accepts (for the OpenAPI test).
const std::vector<std::string>& inpaint_param_names();

class InpaintRoutes {
 public:
  static void inpaint(Server& s, const Request& req, Response& res);
};

}  // namespace toonbox::server
