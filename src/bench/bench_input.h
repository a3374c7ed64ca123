// The images `bench` feeds the models: a photo given with --image, cut to a centred
// crop of each size's aspect (square unless WxH) and resized to each size, or a generated photo-like picture (gradients, a
// face-like shape with sharp edges, fine stripes, noise), so agreement is measured on
// content a cartoonizer reacts to and the table can be made without any files.
#pragma once

#include "image/image.h"

namespace toonbox::bench {

// Deterministic for (size, variant); the layout scales with the size. Variants differ
// in position and colour (the pipeline run uses several, so no two files are equal).
image::Image synthetic_photo(int size, int variant = 0);
image::Image synthetic_photo(int width, int height, int variant);

// The largest centred crop of `photo` with the aspect of width x height, resized to it
// (alpha dropped).
image::Image fitted_input(const image::Image& photo, int width, int height);

}  // namespace toonbox::bench
