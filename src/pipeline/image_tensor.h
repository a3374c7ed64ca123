// The one conversion between 8-bit images and model tensors, by the model's contract
// (models/model_contract.h): layout, channel order and value range. Whole images, batches,
// tiles, `toonbox run` and every front end go through here, so a contract is applied the
// same way on every path.
#pragma once

#include <cstdint>

#include "backend/backend.h"
#include "core/status.h"
#include "core/tensor.h"
#include "image/image.h"
#include "models/model_contract.h"

namespace toonbox::pipeline {

// `size` plus `margin` on both sides, rounded up to a multiple of `multiple`.
int64_t padded_extent(int64_t size, int multiple, int margin);

// [n,h,w,3] (NHWC) or [n,3,h,w] (NCHW), by `c.layout`.
Shape image_tensor_shape(const models::ImageContract& c, int64_t n, int64_t h, int64_t w);
// A float32 tensor of that shape; throws std::bad_alloc when it cannot be allocated.
Tensor make_image_tensor(const models::ImageContract& c, int64_t n, int64_t h, int64_t w);

// Writes `image` into batch item `item` of `t` (made by make_image_tensor): `margin`
// pixels edge-replicated on every side and edge replication on to the tensor's H and W,
// channels in the contract's order, 0..255 mapped onto its input range.
void fill_image_tensor(const image::Image& image, const models::ImageContract& c, int margin,
                       int64_t item, Tensor* t);

// The same conversion for a backend that does it on the device (Session::run_pixels);
// its floats are computed here exactly as fill_image_tensor and OutputPixels compute
// theirs, so both paths give the same bytes.
backend::PixelConversion pixel_conversion(const models::ImageContract& c, int margin);
// Whether runners convert pixels on the device where the backend can: yes, unless
// TOONBOX_PIXELS_ON_DEVICE=0 (the tests and bench compare both ways).
bool pixels_on_device_by_default();

// One image as a [1,...] tensor, H and W padded to the contract's multiple.
Tensor image_to_tensor(const image::Image& image, const models::ImageContract& c, int margin = 0);

// One batch item of a model's output read as RGB on the 0..255 scale (not yet rounded,
// so tiles can blend before rounding). A 1-channel output reads as grey.
class OutputPixels {
 public:
  // Checks that `t` is a 4-D image tensor with 1 or 3 channels and `item` is in it.
  static Result<OutputPixels> of(const Tensor& t, int64_t item, const models::ImageContract& c);
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  // RGB channel `rgb` (0..2) of pixel (x, y).
  float at(int64_t y, int64_t x, int rgb) const {
    return (data_[y * row_stride_ + x * pixel_stride_ + channel_offset_[rgb]] - lo_) * scale_;
  }

 private:
  const float* data_ = nullptr;
  int64_t height_ = 0, width_ = 0, row_stride_ = 0, pixel_stride_ = 0;
  int64_t channel_offset_[3] = {0, 0, 0};
  float lo_ = 0.f, scale_ = 1.f;
};

// The window (x0, y0, width x height) of `px`, rounded and clamped to 8 bits.
image::Image output_to_image(const OutputPixels& px, int x0, int y0, int width, int height);

}  // namespace toonbox::pipeline
