// The parameters of one cartoonization request, read from the query string and/or
// multipart form fields. Unknown names are errors (a typo must not be ignored silently),
// and every value is range-checked with a message that says what is allowed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "image/image.h"
#include "server/http_message.h"

namespace toonbox::server {

struct CartoonizeParams {
  std::string model;               // "" = the server's default model
  std::string precision = "auto";  // auto | fp32 | fp16 (checked against the device later)
  std::string mode = "auto";       // auto (portrait when faces are found) | portrait | whole
  int long_side = 0;               // output's longer side in pixels; 0 keeps the input's
  int resolution = 0;              // processing short side: 0 the model's rule, -1 full, N px
  float strength = 1.f;            // 1 = fully stylized, 0 = the original
  image::ImageFormat format = image::ImageFormat::kPng;
  int quality = 92;                // JPEG/WebP
};

inline constexpr int kMaxLongSide = 16384;

using Fields = std::vector<std::pair<std::string, std::string>>;

// A request's parameters: query parameters first, then form fields (which override
// them). File fields and parts with a file name are not parameters.
Result<Fields> request_fields(const Request& req);

// The parameters every image route takes (model, precision, format, quality): true when
// `name` is one of them (and its value was stored), false for another name.
Result<bool> parse_common_param(const std::string& name, const std::string& value,
                                std::string* model, std::string* precision,
                                image::ImageFormat* format, int* quality);

// One parameter's value as an integer in lo..hi, a plain decimal in lo..hi, or a boolean
// (true, false, 1, 0); the error names the parameter and the allowed values.
Result<int> integer_param(const std::string& name, const std::string& value, int lo, int hi);
Result<float> number_param(const std::string& name, const std::string& value, float lo, float hi);
Result<bool> boolean_param(const std::string& name, const std::string& value);

// Later fields override earlier ones, so callers pass query parameters first and form
// fields after them.
Result<CartoonizeParams> parse_cartoonize_params(const Fields& fields);

// The names parse_cartoonize_params accepts, for error messages and the OpenAPI test.
const std::vector<std::string>& cartoonize_param_names();

const char* mime_type_for(image::ImageFormat format);
const char* extension_for(image::ImageFormat format);  // "png", "jpg", "webp"

}  // namespace toonbox::server
