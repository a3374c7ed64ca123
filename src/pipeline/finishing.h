// What happens to a stylized image after the model, for the CLI and the server alike:
// style strength (a per-pixel blend with the original) and the output size (long side).
#pragma once

#include "image/image.h"

namespace toonbox::pipeline {

// strength * stylized + (1 - strength) * original, per channel, rounded. The images must
// have the same size (otherwise `stylized` is returned); alpha is the stylized image's
// (which is the original's).
image::Image blend_with_original(const image::Image& original, const image::Image& stylized,
                                 float strength);

// The size an image of width x height gets for `long_side` (0 keeps it): the longer side
// becomes long_side, the other keeps the aspect ratio (at least 1 pixel).
void output_size(int width, int height, int long_side, int* out_width, int* out_height);

// Both of the above: the blend, then a resize to output_size (resize.h) when it differs.
image::Image finish_stylized(const image::Image& original, const image::Image& stylized,
                             float strength, int long_side);

}  // namespace toonbox::pipeline
