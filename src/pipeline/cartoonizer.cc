#include "pipeline/cartoonizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace toonbox {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

Tensor image_to_tensor_pm1(const Image& image, int multiple, int margin) {
  const int64_t h = (image.height + 2 * margin + multiple - 1) / multiple * multiple;
  const int64_t w = (image.width + 2 * margin + multiple - 1) / multiple * multiple;
  Tensor t(DType::kFloat32, {1, h, w, 3});
  float* out = t.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t y = 0; y < h; ++y) {
    const int64_t sy = std::clamp<int64_t>(y - margin, 0, image.height - 1);
    for (int64_t x = 0; x < w; ++x) {
      const int64_t sx = std::clamp<int64_t>(x - margin, 0, image.width - 1);
      const uint8_t* px = &image.rgb[(sy * image.width + sx) * 3];
      for (int c = 0; c < 3; ++c) out[(y * w + x) * 3 + c] = px[c] / 127.5f - 1.f;
    }
  }
  return t;
}

Image tensor_pm1_to_image(const Tensor& t, int width, int height, int margin) {
  Image img;
  img.width = width;
  img.height = height;
  img.rgb.resize(static_cast<size_t>(width) * height * 3);
  const int64_t tw = t.dim(2);
  const float* in = t.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) {
        const float v = (in[((y + margin) * tw + x + margin) * 3 + c] + 1.f) * 127.5f;
        img.rgb[(y * width + x) * 3 + c] =
            static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
  return img;
}

Cartoonizer::Cartoonizer(ModelSource model, const DeviceSelection& device)
    : model_(std::move(model)), session_(model_.graph, device.backend, device.precision) {}

Result<Image> Cartoonizer::stylize(const Image& input, StylizeTimings* timings,
                                   const StylizeOptions& options) {
  (void)options;  // tiling: not yet
  if (input.width <= 0 || input.height <= 0) return invalid_argument("empty image");
  StylizeTimings local;
  auto t0 = std::chrono::steady_clock::now();
  Tensor x = image_to_tensor_pm1(input, model_.size_multiple, model_.margin);
  local.preprocess_ms = ms_since(t0);
  TB_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, session_.run({x}, &local.run));
  if (outputs.size() != 1 || outputs[0].rank() != 4 || outputs[0].dim(3) != 3 ||
      outputs[0].dim(1) != x.dim(1) || outputs[0].dim(2) != x.dim(2)) {
    return invalid_argument("model '" + model_.name + "' returned " +
                            shape_to_string(outputs.empty() ? Shape{} : outputs[0].shape()) +
                            ", expected [1," + std::to_string(x.dim(1)) + "," +
                            std::to_string(x.dim(2)) + ",3]");
  }
  t0 = std::chrono::steady_clock::now();
  Image out = tensor_pm1_to_image(outputs[0], input.width, input.height, model_.margin);
  out.alpha = input.alpha;  // alpha is passed through unstylized
  local.postprocess_ms = ms_since(t0);
  if (timings) *timings = local;
  return out;
}

Result<std::vector<Image>> Cartoonizer::stylize_batch(const std::vector<const Image*>& inputs,
                                                      StylizeTimings* timings) {
  // One image after another for now: real batches need the engine to bind N > 1.
  std::vector<Image> outputs;
  for (const Image* image : inputs) {
    if (image->width != inputs[0]->width || image->height != inputs[0]->height)
      return invalid_argument("stylize_batch: images of different sizes");
    TB_ASSIGN_OR_RETURN(Image out, stylize(*image, timings));
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace toonbox
