#include "pipeline/face_align.h"

#include <algorithm>
#include <cmath>

namespace toonbox {

namespace {

// InsightFace's ArcFace alignment template for 112x112 crops (arcface_dst).
constexpr std::array<Point2, 5> kArcFace112 = {{{38.2946, 51.6963},
                                                {73.5318, 51.5014},
                                                {56.0252, 71.7366},
                                                {41.5493, 92.3655},
                                                {70.7299, 92.2041}}};

float smoothstep01(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return static_cast<float>(t * t * (3 - 2 * t));
}

}  // namespace

std::array<Point2, 5> head_template(int crop_size) {
  std::array<Point2, 5> t;
  const double s = crop_size / 112.0;
  for (size_t i = 0; i < t.size(); ++i) {
    t[i].x = ((kArcFace112[i].x - 56.0) * kTemplateShrink + 56.0) * s;
    t[i].y = ((kArcFace112[i].y - 56.0) * kTemplateShrink + 56.0) * s;
  }
  return t;
}

Result<Affine2> head_alignment(const detect::Face& face, int crop_size) {
  std::array<Point2, 5> src;
  for (int k = 0; k < 5; ++k) src[k] = {face.landmarks[2 * k], face.landmarks[2 * k + 1]};
  const std::array<Point2, 5> dst = head_template(crop_size);
  return estimate_similarity(src, dst);
}

Result<int> head_crop_size(const detect::Face& face) {
  // The template is proportional to the crop, so the frame extent a crop covers,
  // crop side / scale, does not depend on the crop size: measure it at the largest.
  TB_ASSIGN_OR_RETURN(Affine2 t, head_alignment(face, kHeadCropSize));
  const double frame_extent = kHeadCropSize / t.scale();
  for (int tier : kHeadCropTiers)
    if (tier >= frame_extent) return tier;
  return kHeadCropSize;
}

Result<HeadCrop> crop_head(const Image& frame, const detect::Face& face, int crop_size) {
  HeadCrop crop;
  TB_ASSIGN_OR_RETURN(crop.frame_to_crop, head_alignment(face, crop_size));
  TB_ASSIGN_OR_RETURN(crop.crop_to_frame, crop.frame_to_crop.inverse());
  crop.image = warp_affine(frame, crop.crop_to_frame, crop_size, crop_size, &crop.valid);
  if (crop.image.width != crop_size) return invalid_argument("crop_head: empty frame");
  // The frame's alpha stays the frame's: pasting writes colour only.
  crop.image.alpha.clear();
  return crop;
}

float head_feather_weight(double u, double v, int crop_size) {
  // Distance from the crop's outer edge (pixel centres at 0..size-1, edges half a pixel out).
  const double band = kFeatherFraction * crop_size;
  const double du = std::min(u + 0.5, crop_size - 0.5 - u);
  const double dv = std::min(v + 0.5, crop_size - 0.5 - v);
  if (du <= 0 || dv <= 0) return 0.f;
  return smoothstep01(du / band) * smoothstep01(dv / band);
}

namespace {

// The frame rectangle (inclusive, clamped) that the crop covers.
void crop_bounds(int frame_width, int frame_height, const Affine2& frame_to_crop, int crop_size,
                 int* x0, int* y0, int* x1, int* y1) {
  auto inv = frame_to_crop.inverse();
  if (!inv.is_ok()) {
    *x0 = *y0 = 0;
    *x1 = *y1 = -1;
    return;
  }
  double lo_x = 1e300, lo_y = 1e300, hi_x = -1e300, hi_y = -1e300;
  for (double u : {-0.5, crop_size - 0.5})
    for (double v : {-0.5, crop_size - 0.5}) {
      const Point2 p = inv->apply({u, v});
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

std::vector<float> head_paste_mask(int frame_width, int frame_height, const Affine2& frame_to_crop,
                                   int crop_size) {
  std::vector<float> mask(static_cast<size_t>(frame_width) * frame_height, 0.f);
  int x0, y0, x1, y1;
  crop_bounds(frame_width, frame_height, frame_to_crop, crop_size, &x0, &y0, &x1, &y1);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const Point2 q = frame_to_crop.apply({static_cast<double>(x), static_cast<double>(y)});
      mask[static_cast<size_t>(y) * frame_width + x] = head_feather_weight(q.x, q.y, crop_size);
    }
  return mask;
}

void paste_head(Image* frame, const Image& head, const Affine2& frame_to_crop) {
  const int size = head.width;
  if (size <= 0 || head.height != size) return;
  int x0, y0, x1, y1;
  crop_bounds(frame->width, frame->height, frame_to_crop, size, &x0, &y0, &x1, &y1);
#pragma omp parallel for schedule(static)
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const Point2 q = frame_to_crop.apply({static_cast<double>(x), static_cast<double>(y)});
      const float w = head_feather_weight(q.x, q.y, size);
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

}  // namespace toonbox
