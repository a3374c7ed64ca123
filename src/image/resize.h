// Resampling for model input/output sizes.
#pragma once

#include "image/image.h"

namespace toonbox::image {

// Bilinear along an axis that grows, area average (box) along an axis that shrinks, so
// downscaling never aliases and upscaling stays smooth. Alpha is resized too, and colour is
// resampled premultiplied by alpha so transparent pixels do not bleed dark fringes; fully
// transparent output pixels get RGB 0. A source without pixels or a target size that is not
// positive gives an empty Image.
//
// Large images are resized in row bands on up to `max_threads` threads (0: automatic,
// from the cores and the image size). Every output row is computed the same way whatever
// the banding, so the result does not depend on the thread count. Why threads: the
// pipeline resizes to the model's processing size and back on the device worker's
// thread, where a GPU folder of photos spent most of its device stage (H200, issue 14).
Image resize_image(const Image& src, int width, int height, int max_threads = 0);

}  // namespace toonbox::image
