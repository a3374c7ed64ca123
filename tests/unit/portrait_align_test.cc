// Portrait mode's geometry: the similarity estimate, the warp and its inverse, the head
// template and the feathered paste mask (src/image/affine.*, src/pipeline/face_align.*).
#include <gtest/gtest.h>

#include <cmath>

#include "image/affine.h"
#include "pipeline/face_align.h"
#include "unit/portrait_test_util.h"

using namespace toonbox::pipeline;
using namespace toonbox::image;

namespace toonbox {
namespace {

using portrait_test::kArcFace;
using portrait_test::make_face;
using portrait_test::make_scene;

Affine2 similarity(double degrees, double scale, double tx, double ty) {
  const double a = degrees * M_PI / 180.0;
  Affine2 t;
  t.m = {scale * std::cos(a), -scale * std::sin(a), tx, scale * std::sin(a), scale * std::cos(a), ty};
  return t;
}

std::vector<Point2> arcface_points() {
  std::vector<Point2> p;
  for (const auto& q : kArcFace) p.push_back({q[0], q[1]});
  return p;
}

TEST(PortraitAlign, SimilarityRecoversRotationScaleTranslationExactly) {
  for (double degrees : {0.0, 23.0, -75.0, 170.0}) {
    const Affine2 truth = similarity(degrees, 1.7, 31.5, -12.25);
    const std::vector<Point2> src = arcface_points();
    std::vector<Point2> dst;
    for (const Point2& p : src) dst.push_back(truth.apply(p));
    auto est = estimate_similarity(src, dst);
    ASSERT_TRUE(est.is_ok()) << est.status().to_string();
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(est->m[i], truth.m[i], 1e-9) << "degrees " << degrees << " m[" << i << "]";
    EXPECT_NEAR(est->scale(), 1.7, 1e-9);
  }
}

TEST(PortraitAlign, SimilarityIsLeastSquaresAndNeverReflects) {
  const std::vector<Point2> src = arcface_points();
  // Mirrored targets: the best similarity without reflection still has det > 0.
  std::vector<Point2> mirrored;
  for (const Point2& p : src) mirrored.push_back({-p.x, p.y});
  auto est = estimate_similarity(src, mirrored);
  ASSERT_TRUE(est.is_ok());
  EXPECT_GE(est->determinant(), 0.0);

  // With noise, the estimate's residual is no larger than the generating map's, and small
  // perturbations of the estimate do not improve it (a least-squares optimum).
  const Affine2 truth = similarity(12, 2.0, 5, 7);
  std::vector<Point2> noisy;
  const double noise[5][2] = {{0.8, -0.3}, {-0.5, 0.6}, {0.2, 0.9}, {-0.7, -0.4}, {0.4, -0.8}};
  for (size_t i = 0; i < src.size(); ++i) {
    const Point2 p = truth.apply(src[i]);
    noisy.push_back({p.x + noise[i][0], p.y + noise[i][1]});
  }
  auto fit = estimate_similarity(src, noisy);
  ASSERT_TRUE(fit.is_ok());
  auto residual = [&](const Affine2& t) {
    double r = 0;
    for (size_t i = 0; i < src.size(); ++i) {
      const Point2 p = t.apply(src[i]);
      r += (p.x - noisy[i].x) * (p.x - noisy[i].x) + (p.y - noisy[i].y) * (p.y - noisy[i].y);
    }
    return r;
  };
  EXPECT_LE(residual(*fit), residual(truth));
  for (double d : {-1e-3, 1e-3}) {
    Affine2 a = *fit, b = *fit;
    a.m[0] += d;  // scale*cos
    a.m[4] += d;
    b.m[3] += d;  // scale*sin
    b.m[1] -= d;
    EXPECT_GT(residual(a), residual(*fit));
    EXPECT_GT(residual(b), residual(*fit));
  }
}

TEST(PortraitAlign, SimilarityRejectsDegenerateInput) {
  std::vector<Point2> same(5, Point2{3, 4});
  EXPECT_FALSE(estimate_similarity(same, arcface_points()).is_ok());
  std::vector<Point2> one = {{1, 2}};
  EXPECT_FALSE(estimate_similarity(one, one).is_ok());
  EXPECT_FALSE(estimate_similarity(arcface_points(), std::vector<Point2>(4)).is_ok());
}

TEST(PortraitAlign, InverseComposesToIdentity) {
  const Affine2 t = similarity(37, 0.6, -4, 19);
  auto inv = t.inverse();
  ASSERT_TRUE(inv.is_ok());
  for (const Point2& p : arcface_points()) {
    const Point2 q = inv->apply(t.apply(p));
    EXPECT_NEAR(q.x, p.x, 1e-9);
    EXPECT_NEAR(q.y, p.y, 1e-9);
  }
  Affine2 singular;
  singular.m = {1, 2, 0, 2, 4, 0};
  EXPECT_FALSE(singular.inverse().is_ok());
}

TEST(PortraitAlign, IdentityWarpIsExactIncludingAlpha) {
  const Image img = make_scene(37, 23, /*with_alpha=*/true);
  std::vector<uint8_t> valid;
  const Image out = warp_affine(img, Affine2{}, img.width, img.height, &valid);
  EXPECT_EQ(out.rgb, img.rgb);
  EXPECT_EQ(out.alpha, img.alpha);
  EXPECT_EQ(valid, std::vector<uint8_t>(img.width * img.height, 255));
}

TEST(PortraitAlign, WarpThenInverseWarpRoundTrips) {
  const Image img = make_scene(200, 160);
  // Rotate by 30 degrees and enlarge 1.3x into a canvas that holds all of it.
  const Affine2 src_to_out = similarity(30, 1.3, 110, 10);
  auto out_to_src = src_to_out.inverse();
  ASSERT_TRUE(out_to_src.is_ok());
  std::vector<uint8_t> valid;
  const Image warped = warp_affine(img, *out_to_src, 360, 340, &valid);
  const Image back = warp_affine(warped, src_to_out, img.width, img.height);
  ASSERT_EQ(back.width, img.width);
  double sum = 0;
  int worst = 0, n = 0;
  for (int y = 3; y < img.height - 3; ++y)
    for (int x = 3; x < img.width - 3; ++x)
      for (int c = 0; c < 3; ++c) {
        const size_t i = (static_cast<size_t>(y) * img.width + x) * 3 + c;
        const int d = std::abs(back.rgb[i] - img.rgb[i]);
        sum += d;
        worst = std::max(worst, d);
        ++n;
      }
  EXPECT_LT(sum / n, 1.0) << "mean abs error";
  EXPECT_LE(worst, 6) << "max abs error";
  // The valid map marks exactly the canvas pixels whose source lies in the frame.
  for (int y = 0; y < warped.height; y += 7)
    for (int x = 0; x < warped.width; x += 7) {
      const Point2 p = out_to_src->apply({double(x), double(y)});
      const bool inside = p.x >= -0.5 && p.x <= img.width - 0.5 && p.y >= -0.5 && p.y <= img.height - 0.5;
      EXPECT_EQ(valid[static_cast<size_t>(y) * warped.width + x], inside ? 255 : 0) << x << "," << y;
    }
}

TEST(PortraitAlign, WarpReplicatesTheBorderOutsideTheFrame) {
  const Image img = make_scene(50, 40);
  Affine2 shift;  // out (x, y) samples src (x - 20, y): 20 columns left of the frame
  shift.m[2] = -20;
  std::vector<uint8_t> valid;
  const Image out = warp_affine(img, shift, 50, 40, &valid);
  for (int y = 0; y < 40; ++y) {
    for (int x = 0; x < 19; ++x) {
      EXPECT_EQ(valid[y * 50 + x], 0);
      for (int c = 0; c < 3; ++c) EXPECT_EQ(out.rgb[(y * 50 + x) * 3 + c], img.rgb[(y * 50) * 3 + c]);
    }
    EXPECT_EQ(valid[y * 50 + 25], 255);
    for (int c = 0; c < 3; ++c) EXPECT_EQ(out.rgb[(y * 50 + 25) * 3 + c], img.rgb[(y * 50 + 5) * 3 + c]);
  }
}

TEST(PortraitAlign, TemplateIsArcFaceShrunkAboutTheCentre) {
  const auto t112 = head_template(112);
  for (int k = 0; k < 5; ++k) {
    EXPECT_NEAR(t112[k].x, (kArcFace[k][0] - 56) * kTemplateShrink + 56, 1e-9);
    EXPECT_NEAR(t112[k].y, (kArcFace[k][1] - 56) * kTemplateShrink + 56, 1e-9);
  }
  const auto t = head_template(kHeadCropSize);
  EXPECT_NEAR(t[2].x, kHeadCropSize * (56 + (56.0252 - 56) * kTemplateShrink) / 112, 1e-9);
  EXPECT_LT(t[0].x, t[1].x);  // the first eye is on the image's left
  EXPECT_LT(t[1].y, t[3].y);  // eyes above the mouth
}

TEST(PortraitAlign, AlignmentMapsTheFaceOntoTheTemplate) {
  const detect::Face face = make_face(140, 90, 30, -30);
  auto t = head_alignment(face, kHeadCropSize);
  ASSERT_TRUE(t.is_ok());
  const auto tmpl = head_template(kHeadCropSize);
  for (int k = 0; k < 5; ++k) {
    const Point2 q = t->apply({face.landmarks[2 * k], face.landmarks[2 * k + 1]});
    EXPECT_NEAR(q.x, tmpl[k].x, 1e-3);
    EXPECT_NEAR(q.y, tmpl[k].y, 1e-3);
  }
  // The roll is undone: the frame's tilt of -30 degrees becomes +30 in the map.
  EXPECT_NEAR(std::atan2(t->m[3], t->m[0]) * 180 / M_PI, 30.0, 1e-3);
  // The face centre goes to the crop centre.
  const Point2 c = t->apply({140, 90});
  EXPECT_NEAR(c.x, kHeadCropSize / 2.0, 1e-3);
  EXPECT_NEAR(c.y, kHeadCropSize / 2.0, 1e-3);
}

TEST(PortraitAlign, MaskFollowsTheHeadEllipseNotTheCropSquare) {
  const int s = kHeadCropSize;
  const double cx = kMaskCentreX * s - 0.5, cy = kMaskCentreY * s - 0.5;
  // Full weight over the face (eyes at 47%, mouth at 74% of the crop), zero beyond the
  // ellipse and so at every crop edge and corner.
  EXPECT_EQ(head_mask_weight(cx, cy, s), 1.f);
  EXPECT_EQ(head_mask_weight(0.38 * s, 0.47 * s, s), 1.f);  // an eye
  EXPECT_EQ(head_mask_weight(0.5 * s, 0.74 * s, s), 1.f);   // the mouth
  for (double u : {0.0, s / 2.0, s - 1.0})
    for (double v : {0.0, s - 1.0}) {
      EXPECT_EQ(head_mask_weight(u, v, s), 0.f) << u << "," << v;
      EXPECT_EQ(head_mask_weight(v, u, s), 0.f) << v << "," << u;
    }
  // Along a radius the weight falls monotonically, as a ramp (many values strictly
  // between 0 and 1), not a step.
  float last = 1.f;
  int between = 0;
  for (int u = static_cast<int>(cx); u < s; ++u) {
    const float w = head_mask_weight(u, cy, s);
    EXPECT_LE(w, last);
    between += (w > 0.f && w < 1.f);
    last = w;
  }
  EXPECT_GT(between, (1 - kMaskInner) * kMaskRadiusX * s * 0.8) << "the falloff is a ramp, not a step";
  // The falloff is an ellipse: at the same distance from the centre, a diagonal point is
  // further out (in the ellipse's metric) than a vertical one, and a horizontal one than a
  // vertical one (the ellipse is taller than wide).
  const double d = 0.37 * s;
  EXPECT_LT(head_mask_weight(cx + d, cy, s), head_mask_weight(cx, cy + d, s));
}

// The ellipse mask in the frame scales with the face: its full-weight area grows with the
// square of the face size, whatever the crop tier.
TEST(PortraitAlign, MaskAreaIsProportionalToTheFace) {
  const int w = 640, h = 640;
  double area[2] = {0, 0};
  const double eyes[2] = {30, 60};
  for (int k = 0; k < 2; ++k) {
    const detect::Face face = make_face(320, 320, eyes[k]);
    auto choice = choose_head_crop(face, 1.0);
    ASSERT_TRUE(choice.is_ok());
    auto t = head_alignment(face, choice->size);
    ASSERT_TRUE(t.is_ok());
    for (float m : head_paste_mask(w, h, *t, choice->size)) area[k] += m;
  }
  EXPECT_NEAR(area[1] / area[0], 4.0, 0.2);
}

TEST(PortraitAlign, PasteMaskIsZeroOutsideTheCropAndFeatheredInside) {
  const int w = 320, h = 240;
  const detect::Face face = make_face(160, 120, 30, 20);
  auto t = head_alignment(face, kHeadCropSize);
  ASSERT_TRUE(t.is_ok());
  const std::vector<float> mask = head_paste_mask(w, h, *t, kHeadCropSize);
  int zeros = 0, ones = 0, ramps = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const Point2 q = t->apply({double(x), double(y)});
      const float m = mask[y * w + x];
      const bool in_crop = q.x > -0.5 && q.x < kHeadCropSize - 0.5 && q.y > -0.5 && q.y < kHeadCropSize - 0.5;
      if (!in_crop) {
        EXPECT_EQ(m, 0.f) << x << "," << y;
      }
      EXPECT_GE(m, 0.f);
      EXPECT_LE(m, 1.f);
      zeros += m == 0.f;
      ones += m == 1.f;
      ramps += m > 0.f && m < 1.f;
    }
  EXPECT_GT(zeros, 0);
  EXPECT_GT(ones, 1000);
  EXPECT_GT(ramps, 1000);
  EXPECT_EQ(mask[120 * w + 160], 1.f);
}

TEST(PortraitAlign, FaceCutByTheBorderIsPastedUpToTheBorder) {
  const int w = 200, h = 150;
  const Image frame = make_scene(w, h);
  const detect::Face face = make_face(8, 75, 30);  // centre 8 px from the left edge
  auto crop = crop_head(frame, face, kHeadCropSize);
  ASSERT_TRUE(crop.is_ok()) << crop.status().to_string();
  // The crop's left part comes from outside the frame and is marked invalid.
  const int mid = kHeadCropSize / 2;
  EXPECT_EQ(crop->valid[mid * kHeadCropSize + 5], 0);
  EXPECT_EQ(crop->valid[mid * kHeadCropSize + mid], 255);
  // The frame's edge column next to the face is pasted at full weight (not feathered by
  // the frame edge), and no weight falls outside the frame (the mask is frame-sized).
  const std::vector<float> mask = head_paste_mask(w, h, crop->frame_to_crop, kHeadCropSize);
  EXPECT_EQ(mask[75 * w + 0], 1.f);
  EXPECT_EQ(mask.size(), static_cast<size_t>(w * h));

  // Pasting a flat head writes its colour where the weight is 1 and nothing where it is 0.
  Image head;
  head.width = head.height = kHeadCropSize;
  head.rgb.assign(kHeadCropSize * kHeadCropSize * 3, 0);
  for (size_t i = 0; i < head.rgb.size(); i += 3) head.rgb[i] = 250;
  Image out = frame;
  paste_head(&out, head, crop->frame_to_crop);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float m = mask[y * w + x];
      const uint8_t* p = &out.rgb[(y * w + x) * 3];
      const uint8_t* o = &frame.rgb[(y * w + x) * 3];
      if (m == 0.f) {
        EXPECT_TRUE(p[0] == o[0] && p[1] == o[1] && p[2] == o[2]) << x << "," << y;
      } else if (m == 1.f) {
        EXPECT_TRUE(p[0] == 250 && p[1] == 0 && p[2] == 0) << x << "," << y;
      } else {
        EXPECT_NEAR(p[0], m * 250 + (1 - m) * o[0], 1.0) << x << "," << y;
      }
    }
}


// A face gets the smallest crop tier whose scale reaches the target (here one crop pixel
// per frame pixel; the eye distance is 23.6% of the crop side), and the largest tier
// beyond that.
TEST(PortraitAlign, CropSizeFollowsTheFaceSize) {
  const std::vector<std::pair<double, int>> cases = {{10, 128}, {29, 128}, {32, 256}, {60, 256},
                                                     {62, 512}, {120, 512}, {400, 512}};
  for (const auto& [eye_distance, want] : cases) {
    const detect::Face face = make_face(300, 300, eye_distance, 17);
    auto choice = choose_head_crop(face, 1.0);
    ASSERT_TRUE(choice.is_ok()) << choice.status().to_string();
    EXPECT_EQ(choice->size, want) << "eye distance " << eye_distance;
    auto t = head_alignment(face, choice->size);
    ASSERT_TRUE(t.is_ok());
    EXPECT_NEAR(choice->scale, t->scale(), 1e-9);
    if (choice->size < kHeadCropSize) {
      EXPECT_GE(t->scale(), 1.0) << "crop sharper than the frame";
    }
    const double smaller = choice->size == 128 ? 0 : choice->size / 2;  // the next tier down is too small
    if (smaller > 0) {
      EXPECT_LT(head_alignment(face, static_cast<int>(smaller))->scale(), 1.0);
    }
  }
}

// The target follows the frame's processing scale: a frame processed at half scale needs
// head crops only half as fine.
TEST(PortraitAlign, CropSizeFollowsTheTargetScale) {
  const detect::Face face = make_face(300, 300, 60, 0);
  EXPECT_EQ(choose_head_crop(face, 1.0)->size, 256);
  EXPECT_EQ(choose_head_crop(face, 0.5)->size, 128);
  EXPECT_EQ(choose_head_crop(face, 2.0)->size, 512);
  EXPECT_LT(choose_head_crop(face, 4.0)->scale, 4.0) << "the largest tier, short of the target";
  // A head model's own minimum (AnimeGANv3: 256) wins over a smaller tier.
  EXPECT_EQ(choose_head_crop(face, 0.5, 256)->size, 256);
}

}  // namespace
}  // namespace toonbox
