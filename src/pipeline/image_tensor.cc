#include "pipeline/image_tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <new>

namespace toonbox::pipeline {

int64_t padded_extent(int64_t size, int multiple, int margin) {
  const int64_t m = std::max(1, multiple);
  return (size + 2 * int64_t{margin} + m - 1) / m * m;
}

Shape image_tensor_shape(const models::ImageContract& c, int64_t n, int64_t h, int64_t w) {
  return c.layout == graph::Layout::kNHWC ? Shape{n, h, w, 3} : Shape{n, 3, h, w};
}

Tensor make_image_tensor(const models::ImageContract& c, int64_t n, int64_t h, int64_t w) {
  Tensor t(DType::kFloat32, image_tensor_shape(c, n, h, w));
  // A Tensor whose allocation failed is empty: writing an image into it would go through
  // its null buffer. The server's device worker turns bad_alloc into a 503.
  if (t.empty() && n * h * w > 0) throw std::bad_alloc();
  return t;
}

void fill_image_tensor(const image::Image& image, const models::ImageContract& c, int margin,
                       int64_t item, Tensor* t) {
  const bool nhwc = c.layout == graph::Layout::kNHWC;
  const int64_t h = nhwc ? t->dim(1) : t->dim(2), w = nhwc ? t->dim(2) : t->dim(3);
  // Strides in floats: one layout's loop serves both.
  const int64_t pixel_stride = nhwc ? 3 : 1, row_stride = w * pixel_stride, channel_stride = nhwc ? 1 : h * w;
  float* out = t->data<float>() + item * h * w * 3;
  const float scale = (c.input_range.hi - c.input_range.lo) / 255.f, lo = c.input_range.lo;
  // Tensor channel k reads image channel src[k]: the model's order from our RGB.
  const int src[3] = {c.channels == models::ChannelOrder::kRgb ? 0 : 2, 1,
                      c.channels == models::ChannelOrder::kRgb ? 2 : 0};
#pragma omp parallel for schedule(static)
  for (int64_t y = 0; y < h; ++y) {
    const int64_t sy = std::clamp<int64_t>(y - margin, 0, image.height - 1);
    const uint8_t* row = &image.rgb[static_cast<size_t>(sy) * image.width * 3];
    for (int64_t x = 0; x < w; ++x) {
      const uint8_t* px = row + std::clamp<int64_t>(x - margin, 0, image.width - 1) * 3;
      float* dst = out + y * row_stride + x * pixel_stride;
      for (int k = 0; k < 3; ++k) dst[k * channel_stride] = lo + px[src[k]] * scale;
    }
  }
}

backend::PixelConversion pixel_conversion(const models::ImageContract& c, int margin) {
  backend::PixelConversion p;
  p.nhwc = c.layout == graph::Layout::kNHWC;
  p.bgr = c.channels != models::ChannelOrder::kRgb;
  p.in_lo = c.input_range.lo;
  p.in_scale = (c.input_range.hi - c.input_range.lo) / 255.f;
  p.out_lo = c.output_range.lo;
  p.out_scale = 255.f / (c.output_range.hi - c.output_range.lo);
  p.margin = margin;
  return p;
}

bool pixels_on_device_by_default() {
  static const bool on = [] {
    const char* v = std::getenv("TOONBOX_PIXELS_ON_DEVICE");
    return !(v && std::string(v) == "0");
  }();
  return on;
}

Tensor image_to_tensor(const image::Image& image, const models::ImageContract& c, int margin) {
  const int64_t h = padded_extent(image.height, c.size_multiple, margin);
  const int64_t w = padded_extent(image.width, c.size_multiple, margin);
  Tensor t = make_image_tensor(c, 1, h, w);
  fill_image_tensor(image, c, margin, 0, &t);
  return t;
}

Result<OutputPixels> OutputPixels::of(const Tensor& t, int64_t item,
                                      const models::ImageContract& c) {
  const bool nhwc = c.layout == graph::Layout::kNHWC;
  if (t.rank() != 4 || t.dtype() != DType::kFloat32)
    return invalid_argument("the model's output is " + shape_to_string(t.shape()) + ", not an image");
  const int64_t channels = nhwc ? t.dim(3) : t.dim(1);
  if (channels != 3 && channels != 1)
    return invalid_argument("the model's output " + shape_to_string(t.shape()) + " has " +
                            std::to_string(channels) + " channels, not an image's 1 or 3");
  if (item < 0 || item >= t.dim(0)) return invalid_argument("batch item out of range");
  OutputPixels p;
  p.height_ = nhwc ? t.dim(1) : t.dim(2);
  p.width_ = nhwc ? t.dim(2) : t.dim(3);
  p.pixel_stride_ = nhwc ? channels : 1;
  p.row_stride_ = p.width_ * p.pixel_stride_;
  const int64_t channel_stride = nhwc ? 1 : p.height_ * p.width_;
  p.data_ = t.data<float>() + item * p.height_ * p.width_ * channels;
  for (int rgb = 0; rgb < 3; ++rgb) {
    const int k = channels == 1 ? 0 : c.channels == models::ChannelOrder::kRgb ? rgb : 2 - rgb;
    p.channel_offset_[rgb] = k * channel_stride;
  }
  p.lo_ = c.output_range.lo;
  p.scale_ = 255.f / (c.output_range.hi - c.output_range.lo);
  return p;
}

image::Image output_to_image(const OutputPixels& px, int x0, int y0, int width, int height) {
  image::Image img;
  img.width = width;
  img.height = height;
  img.rgb.resize(static_cast<size_t>(width) * height * 3);
#pragma omp parallel for schedule(static)
  for (int64_t y = 0; y < height; ++y) {
    uint8_t* row = &img.rgb[static_cast<size_t>(y) * width * 3];
    for (int64_t x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        row[x * 3 + c] = static_cast<uint8_t>(std::clamp(std::lround(px.at(y0 + y, x0 + x, c)), 0L, 255L));
  }
  return img;
}

}  // namespace toonbox::pipeline
