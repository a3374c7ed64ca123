// The images `bench` feeds the models: a photo given with --image, cut to a centred
// square and resized to each size, or a generated photo-like picture (gradients, a
// face-like shape with sharp edges, fine stripes, noise), so agreement is measured on
// content a cartoonizer reacts to and the table can be made without any files.
#pragma once

#include "image/image.h"

namespace toonbox::bench {

// Deterministic for (size, variant); the layout scales with the size. Variants differ
// in position and colour (the pipeline run uses several, so no two files are equal).
Image synthetic_photo(int size, int variant = 0);

// The largest centred square of `photo`, resized to size x size (alpha dropped).
Image square_input(const Image& photo, int size);

}  // namespace toonbox::bench
