// Resampling for model input/output sizes.
#pragma once

#include "image/image.h"

namespace toonbox::image {

// Bilinear along an axis that grows, area average (box) along an axis that shrinks, so
// downscaling never aliases and upscaling stays smooth. Alpha is resized too, and colour is
// resampled premultiplied by alpha so transparent pixels do not bleed dark fringes; fully
// transparent output pixels get RGB 0. A source without pixels or a target size that is not
// positive gives an empty Image.
Image resize_image(const Image& src, int width, int height);

}  // namespace toonbox::image
