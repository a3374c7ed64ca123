// Turning stored pixels into display orientation, per the EXIF orientation tag.
#pragma once

#include "image/image.h"

namespace toonbox::image {

// Orientation values (EXIF 2.3, tag 0x0112), as the transform that makes the stored image
// upright: 1 none, 2 mirror horizontally, 3 rotate 180, 4 mirror vertically, 5 transpose,
// 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise. 5..8 swap width and
// height. Alpha is transformed with the colour. Values outside 1..8 leave the image as is.
// May throw std::bad_alloc (the caller maps it to a Status).
void apply_exif_orientation(Image* img, int orientation);

}  // namespace toonbox::image
