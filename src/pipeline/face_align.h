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

namespace toonbox {

// The head crop's side in pixels, at most. DCT-Net warps to 288; we go up to 512 so that
// large faces (a head filling a 1024-px portrait) are not pasted back blurred from a
// 288-px stylization, while the template keeps the same framing (same head-to-crop
// proportion), so a model sees the composition it was trained on, only sharper.
inline constexpr int kHeadCropSize = 512;

// The crop sizes a head may get. A face gets the smallest size at which the crop has at
// least one pixel per frame pixel it covers (so nothing is lost on the way back through
// the inverse map), kHeadCropSize when none does. Small faces (a group photo's) are not
// blown up 8x into 512-px crops: that showed the model a blurred face and cost 16x the
// compute for nothing. A few fixed sizes, not one per face, so crops still batch.
inline constexpr std::array<int, 3> kHeadCropTiers = {128, 256, kHeadCropSize};

// The ArcFace 112x112 template is scaled by this factor about the crop centre, leaving
// room for hair, ears and chin around the inner face (DCT-Net's ratio).
inline constexpr double kTemplateShrink = 0.75;

// Width of the paste mask's falloff at each crop edge, as a fraction of the crop side.
// Wide enough that the change from the head model's rendering to the background's is a
// gradient, not a visible square; narrow enough that the face itself is pasted at full
// weight (the face occupies the middle ~55% of the crop).
inline constexpr double kFeatherFraction = 0.15;

// Faces whose detected box is smaller than this (shorter side, frame pixels) are left
// to the whole-frame pass: there is too little face for the head model to redraw, and
// landmark jitter of a pixel or two becomes a large rotation error.
inline constexpr int kMinFaceSize = 12;

// The five template points (right eye, left eye, nose, right mouth corner, left mouth
// corner: the detectors' landmark order) for a crop of `crop_size` pixels.
std::array<Point2, 5> head_template(int crop_size);

// The similarity taking `face`'s landmarks onto the template: frame -> crop pixels.
Result<Affine2> head_alignment(const detect::Face& face, int crop_size);

// The crop size for `face` (one of kHeadCropTiers); fails for degenerate landmarks.
Result<int> head_crop_size(const detect::Face& face);

struct HeadCrop {
  Image image;              // crop_size x crop_size RGB (no alpha: the model sees colour)
  Affine2 frame_to_crop;
  Affine2 crop_to_frame;
  std::vector<uint8_t> valid;  // 255 where the crop pixel lies inside the frame
};
Result<HeadCrop> crop_head(const Image& frame, const detect::Face& face, int crop_size);

// Paste weight (0..1) of crop position (u, v): a smoothstep from 0 at the crop's edge to
// 1 at kFeatherFraction of the side inside it, per axis, multiplied (so the corners are
// rounded); 0 outside the crop.
float head_feather_weight(double u, double v, int crop_size);

// The paste weight of every frame pixel (frame_width x frame_height, row-major): frame
// pixels are mapped into the crop, so only pixels inside the frame are ever written, and
// the replicated margin of a crop cut by the frame border is context for the model,
// never pasted. The feather follows the crop's edges only: a face cut by the frame
// border stays stylized up to the border.
std::vector<float> head_paste_mask(int frame_width, int frame_height, const Affine2& frame_to_crop,
                                   int crop_size);

// Blends the stylized `head` (crop_size x crop_size) into `frame` through the inverse
// of the alignment with head_feather_weight. Alpha is not touched.
void paste_head(Image* frame, const Image& head, const Affine2& frame_to_crop);

}  // namespace toonbox
