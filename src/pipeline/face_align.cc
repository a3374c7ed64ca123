#include "pipeline/face_align.h"

#include <algorithm>
#include <cmath>

namespace toonbox::pipeline {

namespace {

// InsightFace's ArcFace alignment template for 112x112 crops (arcface_dst).
constexpr std::array<image::Point2, 5> kArcFace112 = {{{38.2946, 51.6963},
                                                       {73.5318, 51.5014},
                                                       {56.0252, 71.7366},
                                                       {41.5493, 92.3655},
                                                       {70.7299, 92.2041}}};

float smoothstep01(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return static_cast<float>(t * t * (3 - 2 * t));
}

}  // namespace

std::array<image::Point2, 5> head_template(int crop_size) {
  std::array<image::Point2, 5> t;
  const double s = crop_size / 112.0;
  for (size_t i = 0; i < t.size(); ++i) {
    t[i].x = ((kArcFace112[i].x - 56.0) * kTemplateShrink + 56.0) * s;
    t[i].y = ((kArcFace112[i].y - 56.0) * kTemplateShrink + 56.0) * s;
  }
  return t;
}

Result<image::Affine2> head_alignment(const detect::Face& face, int crop_size) {
  std::array<image::Point2, 5> src;
  for (int k = 0; k < 5; ++k) src[k] = {face.landmarks[2 * k], face.landmarks[2 * k + 1]};
  const std::array<image::Point2, 5> dst = head_template(crop_size);
  return image::estimate_similarity(src, dst);
}

Result<HeadCropChoice> choose_head_crop(const detect::Face& face, double target_scale, int min_size) {
  // The template is proportional to the crop, so the crop scale grows with the crop side:
  // measure it once, at the largest.
  TB_ASSIGN_OR_RETURN(image::Affine2 t, head_alignment(face, kHeadCropSize));
  const double per_pixel = t.scale() / kHeadCropSize;  // crop scale per pixel of crop side
  for (int tier : kHeadCropTiers)
    if (tier >= min_size && tier * per_pixel >= target_scale) return HeadCropChoice{tier, tier * per_pixel};
  return HeadCropChoice{kHeadCropSize, t.scale()};
}

Result<HeadCrop> crop_head(const image::Image& frame, const detect::Face& face, int crop_size) {
  HeadCrop crop;
  TB_ASSIGN_OR_RETURN(crop.frame_to_crop, head_alignment(face, crop_size));
  TB_ASSIGN_OR_RETURN(crop.crop_to_frame, crop.frame_to_crop.inverse());
  crop.image = image::warp_affine(frame, crop.crop_to_frame, crop_size, crop_size, &crop.valid);
  if (crop.image.width != crop_size) return invalid_argument("crop_head: empty frame");
  // The frame's alpha stays the frame's: pasting writes colour only.
  crop.image.alpha.clear();
  return crop;
}

float head_mask_weight(double u, double v, int crop_size) {
  const double dx = (u + 0.5) / crop_size - kMaskCentreX, dy = (v + 0.5) / crop_size - kMaskCentreY;
  const double r = std::sqrt((dx / kMaskRadiusX) * (dx / kMaskRadiusX) + (dy / kMaskRadiusY) * (dy / kMaskRadiusY));
  if (r >= 1.0) return 0.f;
  return smoothstep01((1.0 - r) / (1.0 - kMaskInner));
}

image::Affine2 rescale_frame(const image::Affine2& t, double scale) {
  image::Affine2 out = t;
  out.m[0] /= scale;
  out.m[1] /= scale;
  out.m[3] /= scale;
  out.m[4] /= scale;
  return out;
}

namespace {

// The frame rectangle (inclusive, clamped) that the crop covers.
void crop_bounds(int frame_width, int frame_height, const image::Affine2& frame_to_crop,
                 int crop_size, int* x0, int* y0, int* x1, int* y1) {
  auto inv = frame_to_crop.inverse();
  if (!inv.is_ok()) {
    *x0 = *y0 = 0;
    *x1 = *y1 = -1;
    return;
  }
  double lo_x = 1e300, lo_y = 1e300, hi_x = -1e300, hi_y = -1e300;
  for (double u : {-0.5, crop_size - 0.5})
    for (double v : {-0.5, crop_size - 0.5}) {
      const image::Point2 p = inv->apply({u, v});
      lo_x = std::min(lo_x, p.x);
      lo_y = std::min(lo_y, p.y);
      hi_x = std::max(hi_x, p.x);
      hi_y = std::max(hi_y, p.y);
    }
  *x0 = static_cast<int>(std::clamp(std::floor(lo_x), 0.0, static_cast<double>(frame_width)));
  *y0 = static_cast<int>(std::clamp(std::floor(lo_y), 0.0, static_cast<double>(frame_height)));
  *x1 = static_cast<int>(std::clamp(std::ceil(hi_x), -1.0, frame_width - 1.0));
  *y1 = static_cast<int>(std::clamp(std::ceil(hi_y), -1.0, frame_height - 1.0));
}

}  // namespace

std::vector<float> head_paste_mask(int frame_width, int frame_height,
                                   const image::Affine2& frame_to_crop, int crop_size) {
  std::vector<float> mask(static_cast<size_t>(frame_width) * frame_height, 0.f);
  int x0, y0, x1, y1;
  crop_bounds(frame_width, frame_height, frame_to_crop, crop_size, &x0, &y0, &x1, &y1);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const image::Point2 q = frame_to_crop.apply({static_cast<double>(x), static_cast<double>(y)});
      mask[static_cast<size_t>(y) * frame_width + x] = head_mask_weight(q.x, q.y, crop_size);
    }
  return mask;
}

void paste_head(image::Image* frame, const image::Image& head,
                const image::Affine2& frame_to_crop) {
  const int size = head.width;
  if (size <= 0 || head.height != size) return;
  int x0, y0, x1, y1;
  crop_bounds(frame->width, frame->height, frame_to_crop, size, &x0, &y0, &x1, &y1);
#pragma omp parallel for schedule(static)
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const image::Point2 q = frame_to_crop.apply({static_cast<double>(x), static_cast<double>(y)});
      const float w = head_mask_weight(q.x, q.y, size);
      if (w <= 0.f) continue;
      // Bilinear sample of the stylized head (edge-clamped: the feather is zero there).
      const double cx = std::clamp(q.x, 0.0, size - 1.0), cy = std::clamp(q.y, 0.0, size - 1.0);
      const int u0 = static_cast<int>(cx), v0 = static_cast<int>(cy);
      const int u1 = std::min(u0 + 1, size - 1), v1 = std::min(v0 + 1, size - 1);
      const double fx = cx - u0, fy = cy - v0;
      uint8_t* out = &frame->rgb[(static_cast<size_t>(y) * frame->width + x) * 3];
      for (int c = 0; c < 3; ++c) {
        const double h = (1 - fx) * (1 - fy) * head.rgb[(static_cast<size_t>(v0) * size + u0) * 3 + c] +
                         fx * (1 - fy) * head.rgb[(static_cast<size_t>(v0) * size + u1) * 3 + c] +
                         (1 - fx) * fy * head.rgb[(static_cast<size_t>(v1) * size + u0) * 3 + c] +
                         fx * fy * head.rgb[(static_cast<size_t>(v1) * size + u1) * 3 + c];
        const double v = w * h + (1.0 - w) * out[c];
        out[c] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0)));
      }
    }
  }
}

}  // namespace toonbox::pipeline
