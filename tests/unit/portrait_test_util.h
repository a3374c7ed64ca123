// Synthetic faces for the portrait tests: five landmarks placed by a known similarity
// (centre, eye distance, roll), so alignment, masks and pasting can be checked exactly
// without a detector.
#pragma once

#include <cmath>
#include <vector>

#include "detect/face_decode.h"
#include "image/image.h"

namespace toonbox::portrait_test {

// The ArcFace 112x112 points (independent copy of the template face_align.cc uses).
inline constexpr double kArcFace[5][2] = {
    {38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366}, {41.5493, 92.3655}, {70.7299, 92.2041}};

// A face whose eye distance is `eye_distance` frame pixels, centred (template centre
// (56, 56)) on (cx, cy), rolled by `degrees` (clockwise on screen, y down). The box is
// the template's 112-px square mapped the same way (axis-aligned bounds).
inline detect::Face make_face(double cx, double cy, double eye_distance, double degrees = 0) {
  const double s = eye_distance / (kArcFace[1][0] - kArcFace[0][0]);
  const double a = degrees * M_PI / 180.0, c = std::cos(a) * s, sn = std::sin(a) * s;
  auto map = [&](double x, double y, float* ox, float* oy) {
    x -= 56.0;
    y -= 56.0;
    *ox = static_cast<float>(cx + c * x - sn * y);
    *oy = static_cast<float>(cy + sn * x + c * y);
  };
  detect::Face f;
  for (int k = 0; k < 5; ++k) map(kArcFace[k][0], kArcFace[k][1], &f.landmarks[2 * k], &f.landmarks[2 * k + 1]);
  const double half = 40.0 * s;  // a detector's box hugs the face: ~80 of the 112 px
  f.x1 = static_cast<float>(cx - half);
  f.x2 = static_cast<float>(cx + half);
  f.y1 = static_cast<float>(cy - half);
  f.y2 = static_cast<float>(cy + half);
  f.score = 0.9f;
  return f;
}

// Smooth, non-repeating colour content: every pixel differs from its neighbours, so a
// flat region in an output can only come from a flat-filling model.
inline image::Image make_scene(int width, int height, bool with_alpha = false) {
  image::Image img;
  img.width = width;
  img.height = height;
  img.rgb.resize(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &img.rgb[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = static_cast<uint8_t>(128 + 100 * std::sin(x * 0.05 + y * 0.02));
      p[1] = static_cast<uint8_t>(128 + 100 * std::sin(y * 0.045 - x * 0.015 + 1.0));
      p[2] = static_cast<uint8_t>(40 + (x * 170) / std::max(1, width - 1));
    }
  if (with_alpha) {
    img.alpha.resize(static_cast<size_t>(width) * height);
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) img.alpha[static_cast<size_t>(y) * width + x] = static_cast<uint8_t>((x * 7 + y * 3) % 256);
  }
  return img;
}

}  // namespace toonbox::portrait_test
