// 2-D affine maps for face alignment: least-squares similarity estimation from point
// pairs, inversion, and a bilinear warp that tracks which output pixels came from inside
// the source frame.
//
// Coordinates: pixel (x, y) has its centre at integer (x, y), as in OpenCV's warpAffine
// and in the face detectors' landmarks, so an alignment computed here means what it
// means in the DCT-Net and InsightFace reference code.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::image {

struct Point2 {
  double x = 0, y = 0;
};

// x' = m[0] x + m[1] y + m[2],  y' = m[3] x + m[4] y + m[5].
struct Affine2 {
  std::array<double, 6> m{1, 0, 0, 0, 1, 0};

  Point2 apply(Point2 p) const { return {m[0] * p.x + m[1] * p.y + m[2], m[3] * p.x + m[4] * p.y + m[5]}; }
  double determinant() const { return m[0] * m[4] - m[1] * m[3]; }
  // For a similarity: the uniform scale factor.
  double scale() const;
  // Fails for a singular map.
  Result<Affine2> inverse() const;
};

// The similarity (rotation, uniform scale, translation; never a reflection) mapping `src`
// onto `dst` with the least sum of squared distances: Umeyama (1991). In 2-D with the
// reflection excluded the solution has a closed form: with centred points, the map is
// [a -b; b a] with a = sum(s.d) / sum(|s|^2) and b = sum(s x d) / sum(|s|^2).
// Needs at least two points and `src` not all in one place.
Result<Affine2> estimate_similarity(std::span<const Point2> src, std::span<const Point2> dst);

// The width x height image whose pixel (x, y) is `src` sampled bilinearly at
// out_to_src.apply(x, y). Samples outside the frame take the nearest edge pixel
// (replicate): for a face cut by the border this gives the model plausible context
// instead of black or a mirrored second half-face. Alpha, when present, is warped the
// same way. `valid`, when given, receives width x height bytes: 255 where the sample
// point lies inside the source frame (within half a pixel of a pixel centre), else 0.
Image warp_affine(const Image& src, const Affine2& out_to_src, int width, int height,
                  std::vector<uint8_t>* valid = nullptr);

}  // namespace toonbox::image
