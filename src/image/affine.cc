#include "image/affine.h"

#include <algorithm>
#include <cmath>

namespace toonbox::image {

double Affine2::scale() const { return std::sqrt(std::abs(determinant())); }

Result<Affine2> Affine2::inverse() const {
  const double det = determinant();
  if (!(std::abs(det) > 1e-12)) return invalid_argument("affine map is singular (determinant " + std::to_string(det) + ")");
  Affine2 r;
  r.m[0] = m[4] / det;
  r.m[1] = -m[1] / det;
  r.m[3] = -m[3] / det;
  r.m[4] = m[0] / det;
  r.m[2] = -(r.m[0] * m[2] + r.m[1] * m[5]);
  r.m[5] = -(r.m[3] * m[2] + r.m[4] * m[5]);
  return r;
}

Result<Affine2> estimate_similarity(std::span<const Point2> src, std::span<const Point2> dst) {
  if (src.size() != dst.size() || src.size() < 2)
    return invalid_argument("similarity estimation needs two or more point pairs, got " +
                            std::to_string(src.size()) + " and " + std::to_string(dst.size()));
  const double n = static_cast<double>(src.size());
  Point2 ms, md;
  for (size_t i = 0; i < src.size(); ++i) {
    ms.x += src[i].x / n;
    ms.y += src[i].y / n;
    md.x += dst[i].x / n;
    md.y += dst[i].y / n;
  }
  double ss = 0, dot = 0, cross = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    const double sx = src[i].x - ms.x, sy = src[i].y - ms.y;
    const double dx = dst[i].x - md.x, dy = dst[i].y - md.y;
    ss += sx * sx + sy * sy;
    dot += sx * dx + sy * dy;
    cross += sx * dy - sy * dx;
  }
  if (!(ss > 1e-12)) return invalid_argument("similarity estimation: the source points coincide");
  const double a = dot / ss, b = cross / ss;
  Affine2 t;
  t.m = {a, -b, md.x - (a * ms.x - b * ms.y), b, a, md.y - (b * ms.x + a * ms.y)};
  return t;
}

Image warp_affine(const Image& src, const Affine2& out_to_src, int width, int height,
                  std::vector<uint8_t>* valid) {
  Image out;
  if (src.width <= 0 || src.height <= 0 || width <= 0 || height <= 0) return out;
  out.width = width;
  out.height = height;
  out.rgb.resize(static_cast<size_t>(width) * height * 3);
  const bool alpha = src.has_alpha();
  if (alpha) out.alpha.resize(static_cast<size_t>(width) * height);
  if (valid) valid->assign(static_cast<size_t>(width) * height, 0);
  const double max_x = src.width - 1, max_y = src.height - 1;
#pragma omp parallel for schedule(static)
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const Point2 p = out_to_src.apply({static_cast<double>(x), static_cast<double>(y)});
      const size_t o = static_cast<size_t>(y) * width + x;
      if (valid && p.x >= -0.5 && p.x <= max_x + 0.5 && p.y >= -0.5 && p.y <= max_y + 0.5)
        (*valid)[o] = 255;
      const double cx = std::clamp(p.x, 0.0, max_x), cy = std::clamp(p.y, 0.0, max_y);
      const int x0 = static_cast<int>(cx), y0 = static_cast<int>(cy);
      const int x1 = std::min(x0 + 1, src.width - 1), y1 = std::min(y0 + 1, src.height - 1);
      const double fx = cx - x0, fy = cy - y0;
      const double w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
      const size_t i00 = static_cast<size_t>(y0) * src.width + x0, i01 = static_cast<size_t>(y0) * src.width + x1;
      const size_t i10 = static_cast<size_t>(y1) * src.width + x0, i11 = static_cast<size_t>(y1) * src.width + x1;
      for (int c = 0; c < 3; ++c) {
        const double v = w00 * src.rgb[i00 * 3 + c] + w01 * src.rgb[i01 * 3 + c] +
                         w10 * src.rgb[i10 * 3 + c] + w11 * src.rgb[i11 * 3 + c];
        out.rgb[o * 3 + c] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0)));
      }
      if (alpha) {
        const double v = w00 * src.alpha[i00] + w01 * src.alpha[i01] + w10 * src.alpha[i10] +
                         w11 * src.alpha[i11];
        out.alpha[o] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0)));
      }
    }
  }
  return out;
}

}  // namespace toonbox::image
