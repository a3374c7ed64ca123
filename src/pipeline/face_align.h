// Head crops for portrait mode, after DCT-Net (menyifang/DCT-Net, source/cartoonize.py):
// each face's five landmarks are mapped by a least-squares similarity onto a template,
// the frame is warped to a square head crop, the head model stylizes the crop, and the
// result goes back through the inverse map with a feathered mask. See docs/portrait.md.
#pragma once

#include <array>
#include <vector>

#include "detect/face_decode.h"
#include "image/affine.h"
#include "image/image.h"

namespace toonbox::pipeline {

// The crop sizes a head may get (a few fixed sizes, not one per face, so crops batch).
// Each face gets the smallest size whose crop scale (crop pixels per input pixel) reaches
// the target the pipeline asks for: the frame's processing scale or the output's, so a
// head is never drawn coarser than the frame around it (a large face stylized at half
// scale came back with hard flat planes on chin and nose). Small faces are not blown up
// into 512-px crops: that showed the model a blurred face and cost 16x for nothing.
// DCT-Net warps every face to 288.
inline constexpr std::array<int, 3> kHeadCropTiers = {128, 256, 512};
inline constexpr int kHeadCropSize = kHeadCropTiers.back();

// The ArcFace 112x112 template is scaled by this factor about the crop centre, leaving
// room for hair, ears and chin around the inner face (DCT-Net's ratio).
inline constexpr double kTemplateShrink = 0.75;

// The paste mask follows the head, not the crop square: an ellipse in crop coordinates
// around the template's face (eyes at 47% and mouth at 74% of the crop's height; the chin
// near 90%), wide enough for hair and chin, at full weight inside kMaskInner of its radius
// and falling smoothly to 0 at its edge. The falloff is then proportional to the face, and a head
// model that draws the crop's background differently from the frame's (AnimeGANv3 heads
// on a White-box frame) leaves no square.
inline constexpr double kMaskCentreX = 0.50, kMaskCentreY = 0.52;  // fractions of the crop side
inline constexpr double kMaskRadiusX = 0.36, kMaskRadiusY = 0.46;
inline constexpr double kMaskInner = 0.80;

// Faces whose detected box is smaller than this (shorter side, input pixels) are left to
// the whole-frame pass by default (CartoonOptions::min_face): with 25-40 px faces (a
// group photo's), the head crop blows a blurred face up 3-5x and the model draws a pale,
// eyeless mask.
inline constexpr int kDefaultMinFace = 48;

// The five template points (right eye, left eye, nose, right mouth corner, left mouth
// corner: the detectors' landmark order) for a crop of `crop_size` pixels.
std::array<image::Point2, 5> head_template(int crop_size);

// The similarity taking `face`'s landmarks onto the template: frame -> crop pixels.
Result<image::Affine2> head_alignment(const detect::Face& face, int crop_size);

struct HeadCropChoice {
  int size = 0;        // one of kHeadCropTiers
  double scale = 0;    // crop pixels per input pixel at that size
};
// The smallest tier of at least `min_size` pixels whose crop scale reaches `target_scale`,
// else the largest; fails for degenerate landmarks. (`min_size` is the head model's own
// minimum: AnimeGANv3's authors never run it below 256 px.)
Result<HeadCropChoice> choose_head_crop(const detect::Face& face, double target_scale, int min_size = 0);

struct HeadCrop {
  image::Image image;  // crop_size x crop_size RGB (no alpha: the model sees colour)
  image::Affine2 frame_to_crop;
  image::Affine2 crop_to_frame;
  std::vector<uint8_t> valid;  // 255 where the crop pixel lies inside the frame
};
Result<HeadCrop> crop_head(const image::Image& frame, const detect::Face& face, int crop_size);

// Paste weight (0..1) of crop position (u, v): 1 inside kMaskInner of the head ellipse,
// a smoothstep to 0 at the ellipse's edge, 0 beyond (and so 0 outside the crop).
float head_mask_weight(double u, double v, int crop_size);

// The paste weight of every frame pixel (frame_width x frame_height, row-major): frame
// pixels are mapped into the crop, so only pixels inside the frame are ever written, and
// the replicated margin of a crop cut by the frame border is context for the model,
// never pasted.
std::vector<float> head_paste_mask(int frame_width, int frame_height,
                                   const image::Affine2& frame_to_crop, int crop_size);

// `frame_to_crop` for a frame `scale` times the size of the one it was estimated on
// (heads are aligned on the input and pasted into the output canvas).
image::Affine2 rescale_frame(const image::Affine2& frame_to_crop, double scale);

// Blends the stylized `head` (crop_size x crop_size) into `frame` through the inverse
// of the alignment with head_mask_weight. Alpha is not touched.
void paste_head(image::Image* frame, const image::Image& head, const image::Affine2& frame_to_crop);

}  // namespace toonbox::pipeline
