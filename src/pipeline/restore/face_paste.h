// The geometry of face restoration, after facexlib (xinntao/facexlib,
// utils/face_restoration_helper.py, which GFPGAN and CodeFormer use): a face's five
// landmarks are mapped by a least-squares similarity onto the model's template
// (align_warp_face), the frame is sampled into the model's S x S crop, and the restored
// crop goes back through the inverse map with a mask sized from the face
// (paste_faces_to_input_image): the crop square warped to the frame, eroded by 2 px (times
// the upscale), then eroded again by 2·w_edge and Gaussian-blurred over 2·w_edge + 1 px,
// with w_edge = ⌊√(mask area)⌋ / 20. The transition is thus proportional to the face, lies
// inside the crop and away from its edge, and everything outside it keeps the background's
// pixels exactly.
//
// Differences from facexlib, each for the identity test (an identity "restorer" must give
// the photo back, docs/restore.md): both warps are bicubic (Catmull-Rom) instead of
// bilinear, the crop goes into the model's tensor and the model's output is pasted as
// floats (one rounding to 8 bits, at the end, instead of three), and the crop's margin
// outside the frame repeats the edge pixels instead of a constant grey.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "detect/face_decode.h"
#include "image/affine.h"
#include "image/image.h"
#include "models/face_restore_contract.h"
#include "pipeline/image_tensor.h"

namespace toonbox::pipeline {

// The similarity taking `face`'s landmarks onto `tmpl` for an S x S crop: frame -> crop
// pixels. Fails for degenerate landmarks.
Result<image::Affine2> restore_alignment(const detect::Face& face, models::FaceTemplate tmpl,
                                         int crop_size);

// Writes the S x S crop of `frame` seen through `crop_to_frame` into batch item `item` of
// `t` ([N,3,S,S], RGB, (x/255 - 0.5)/0.5): bicubic, the frame's edge repeated outside it.
void fill_face_crop(const image::Image& frame, const image::Affine2& crop_to_frame, int crop_size,
                    int64_t item, Tensor* t);

// facexlib's soft paste mask of one face in a canvas_width x canvas_height canvas (the
// output: the input `upscale` times larger), over the canvas rectangle it covers.
struct PasteMask {
  int x0 = 0, y0 = 0, width = 0, height = 0;  // the rectangle, inside the canvas
  std::vector<float> weight;                  // width x height, 0..1
  int edge = 0;                               // w_edge: the blur is 2·edge + 1 px wide
  float at(int x, int y) const {
    if (x < x0 || y < y0 || x >= x0 + width || y >= y0 + height) return 0.f;
    return weight[static_cast<size_t>(y - y0) * width + (x - x0)];
  }
};
PasteMask face_paste_mask(int canvas_width, int canvas_height, const image::Affine2& canvas_to_crop,
                          int crop_size, int upscale = 1);

// Blends batch item `item` of a restorer's output into `canvas` (canvas_width x
// canvas_height RGB floats, 0..255) through `canvas_to_crop` with `mask`.
void paste_restored_face(const OutputPixels& face, int crop_size,
                         const image::Affine2& canvas_to_crop, const PasteMask& mask,
                         int canvas_width, int canvas_height, std::vector<float>* canvas);

}  // namespace toonbox::pipeline
