#include "server/image_ops.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "image/image_io.h"
#include "pipeline/finishing.h"
#include "server/memory_budget.h"

namespace toonbox::server {

Status check_output_size(int width, int height, const CartoonizeParams& params, int64_t max_pixels) {
  int w = 0, h = 0;
  pipeline::output_size(width, height, params.long_side, &w, &h);
  if (static_cast<int64_t>(w) * h <= max_pixels) return Status::ok();
  return resource_exhausted("long_side=" + std::to_string(params.long_side) + " makes a " + std::to_string(w) +
                            "x" + std::to_string(h) + " image, over the server's limit of " +
                            std::to_string(max_pixels) + " pixels");
}

Status explain_decode_error(const Status& s) {
  const Status unreadable = image::as_unreadable_image(s);
  if (unreadable.code() != StatusCode::kDataLoss) return s;
  return data_loss("this file is not an image toonbox can read (JPEG, PNG or WebP): " + s.message());
}

size_t request_memory_bytes(const image::ImageInfo& info, const CartoonizeParams& params,
                            const pipeline::ModelRunner& model, int tile_size) {
  RequestMemory r;
  r.width = info.width;
  r.height = info.height;
  int w = 0, h = 0;
  pipeline::output_size(info.width, info.height, params.long_side, &w, &h);
  r.out_width = w;
  r.out_height = h;
  r.has_alpha = info.has_alpha;
  r.tile_side = tile_size;
  r.model_bytes_per_pixel = model.measured_bytes_per_pixel();
  r.arena_on_device = model.works_in_device_memory();
  return estimate_request_bytes(r);
}

Status over_request_memory(const image::ImageInfo& info, size_t estimate, size_t limit) {
  return resource_exhausted("the " + std::to_string(info.width) + "x" + std::to_string(info.height) +
                            " image would need about " + human_bytes(static_cast<double>(estimate)) +
                            " of memory, over the server's limit of " + human_bytes(static_cast<double>(limit)) +
                            " per request (toonbox serve --max-request-mb); send a smaller image");
}

std::string download_name(const std::string& client_name, const std::string& suffix,
                          const std::string& extension) {
  // Strip any folder a browser or client put in the name, then the extension.
  std::string base = client_name;
  const size_t slash = base.find_last_of("/\\");
  if (slash != std::string::npos) base = base.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  std::string safe;
  for (unsigned char c : base) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') safe += static_cast<char>(c);
    else if (!safe.empty() && safe.back() != '_') safe += '_';
  }
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());
  if (safe.size() > 80) safe.resize(80);
  if (safe.empty()) safe = "image";
  return safe + suffix + "." + extension;
}

}  // namespace toonbox::server
