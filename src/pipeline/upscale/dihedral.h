// The eight flips and rotations of a picture (the dihedral group of the square) for
// test-time augmentation: the upscaler runs on each transformed image, each output is
// transformed back, and the eight are averaged (Real-ESRGAN's and Real-CUGAN's "tta").
#pragma once

#include <vector>

#include "image/image.h"

namespace toonbox::pipeline {

// Transform t (0..7): bit 0 flips left-right, bit 1 flips top-bottom, bit 2 transposes
// (x <-> y), applied in that order. t = 0 is the identity.
inline constexpr int kDihedralCount = 8;

// RGB only (alpha is upscaled apart).
image::Image dihedral_transform(const image::Image& image, int t);

// Adds the inverse of transform t of an RGB float canvas (`width` x `height` as it came
// out of the transformed run) into `sum`, which is in the original orientation.
void add_dihedral_inverse(const std::vector<float>& canvas, int width, int height, int t,
                          std::vector<float>* sum);

}  // namespace toonbox::pipeline
