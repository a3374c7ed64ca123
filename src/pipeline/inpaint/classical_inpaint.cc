#include "pipeline/inpaint/classical_inpaint.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "pipeline/inpaint/fast_marching.h"

namespace toonbox::pipeline {

namespace {

using fmm::Grid;
using fmm::kInside;

// OpenCV's saturate_cast<uchar>(float/double): round half to even (cvRound), clamp.
template <typename T>
uint8_t to_u8(T v) {
  const long r = std::lrint(v);
  return static_cast<uint8_t>(std::clamp(r, 0L, 255L));
}

// The image seen from grid coordinates, with OpenCV's clamped neighbour indices: a
// neighbourhood pixel (k, l) reads row km = k-1 (+1 on the first row) and kp = k-1 (-1 on
// the last), likewise lm / lp for columns.
struct Pixels {
  uint8_t* rgb;
  int width;
  int v(int row, int col, int c) const { return rgb[(static_cast<size_t>(row) * width + col) * 3 + c]; }
};

// Telea 2004, eq. 2-8 as OpenCV computes them: w = |dir * dst * lev| with dir = r . grad T
// (1e-6 when |dir| <= 0.01), dst = 1/|r|^3, lev = 1/(1 + |T(k,l) - T(i,j)|); the value is
// sum(w I)/sum(w) plus OpenCV's normalised gradient term (Jx + Jy)/|J|, plus 0.5, rounded.
void telea_fill(const Grid& g, int range, Pixels px, int i, int j) {
  const int rows = g.rows, cols = g.cols;
  auto known = [&](int a, int b) { return g.f(a, b) != kInside; };
  float gtx = 0, gty = 0;
  if (known(i, j + 1))
    gtx = known(i, j - 1) ? (g.T(i, j + 1) - g.T(i, j - 1)) * 0.5f : g.T(i, j + 1) - g.T(i, j);
  else if (known(i, j - 1))
    gtx = g.T(i, j) - g.T(i, j - 1);
  if (known(i + 1, j))
    gty = known(i - 1, j) ? (g.T(i + 1, j) - g.T(i - 1, j)) * 0.5f : g.T(i + 1, j) - g.T(i, j);
  else if (known(i - 1, j))
    gty = g.T(i, j) - g.T(i - 1, j);
  float ia[3] = {0, 0, 0}, jx[3] = {0, 0, 0}, jy[3] = {0, 0, 0};
  float s = 1.0e-20f;
  for (int k = i - range; k <= i + range; ++k) {
    const int km = k - 1 + (k == 1), kp = k - 1 - (k == rows - 2);
    for (int l = j - range; l <= j + range; ++l) {
      const int lm = l - 1 + (l == 1), lp = l - 1 - (l == cols - 2);
      if (!(k > 0 && l > 0 && k < rows - 1 && l < cols - 1)) continue;
      if (!known(k, l) || (l - j) * (l - j) + (k - i) * (k - i) > range * range) continue;
      const float ry = static_cast<float>(i - k), rx = static_cast<float>(j - l);
      const float len2 = rx * rx + ry * ry;
      const float dst = static_cast<float>(1. / (len2 * std::sqrt(static_cast<double>(len2))));
      const float lev = static_cast<float>(1. / (1 + std::fabs(g.T(k, l) - g.T(i, j))));
      float dir = rx * gtx + ry * gty;
      if (std::fabs(dir) <= 0.01) dir = 0.000001f;
      const float w = std::fabs(dst * lev * dir);
      for (int c = 0; c < 3; ++c) {
        float gix = 0, giy = 0;
        if (known(k, l + 1))
          gix = known(k, l - 1) ? static_cast<float>(px.v(km, lp + 1, c) - px.v(km, lm - 1, c)) * 2.0f
                                : static_cast<float>(px.v(km, lp + 1, c) - px.v(km, lm, c));
        else if (known(k, l - 1))
          gix = static_cast<float>(px.v(km, lp, c) - px.v(km, lm - 1, c));
        if (known(k + 1, l))
          giy = known(k - 1, l) ? static_cast<float>(px.v(kp + 1, lm, c) - px.v(km - 1, lm, c)) * 2.0f
                                : static_cast<float>(px.v(kp + 1, lm, c) - px.v(km, lm, c));
        else if (known(k - 1, l))
          giy = static_cast<float>(px.v(kp, lm, c) - px.v(km - 1, lm, c));
        ia[c] += w * static_cast<float>(px.v(km, lm, c));
        jx[c] -= w * (gix * rx);
        jy[c] -= w * (giy * ry);
      }
      s += w;
    }
  }
  for (int c = 0; c < 3; ++c) {
    const float sat = ia[c] / s + (jx[c] + jy[c]) / (std::sqrt(jx[c] * jx[c] + jy[c] * jy[c]) + 1.0e-20f) + 0.5f;
    px.rgb[(static_cast<size_t>(i - 1) * px.width + (j - 1)) * 3 + c] = to_u8(sat);
  }
}

// Bertalmio 2001 as OpenCV's INPAINT_NS computes it: each known pixel within the radius
// weighted by dst = 1/(|r|^4 + 1) times how well r follows the isophote: |r . N| / (|r||N|)
// with N the (absolute, one-sided where needed) image gradient turned by 90 degrees.
void ns_fill(const Grid& g, int range, Pixels px, int i, int j) {
  const int rows = g.rows, cols = g.cols;
  auto known = [&](int a, int b) { return g.f(a, b) != kInside; };
  float ia[3] = {0, 0, 0};
  float s[3] = {1.0e-20f, 1.0e-20f, 1.0e-20f};
  for (int k = i - range; k <= i + range; ++k) {
    const int km = k - 1 + (k == 1), kp = k - 1 - (k == rows - 2);
    for (int l = j - range; l <= j + range; ++l) {
      const int lm = l - 1 + (l == 1), lp = l - 1 - (l == cols - 2);
      if (!(k > 0 && l > 0 && k < rows - 1 && l < cols - 1)) continue;
      if (!known(k, l) || (l - j) * (l - j) + (k - i) * (k - i) > range * range) continue;
      const float ry = static_cast<float>(k - i), rx = static_cast<float>(l - j);
      const float len2 = rx * rx + ry * ry;
      const float dst = 1 / (len2 * len2 + 1);
      for (int c = 0; c < 3; ++c) {
        float gx = 0, gy = 0;
        if (known(k + 1, l))
          gx = known(k - 1, l) ? static_cast<float>(std::abs(px.v(kp + 1, lm, c) - px.v(kp, lm, c)) +
                                                    std::abs(px.v(kp, lm, c) - px.v(km - 1, lm, c)))
                               : static_cast<float>(std::abs(px.v(kp + 1, lm, c) - px.v(kp, lm, c))) * 2.0f;
        else if (known(k - 1, l))
          gx = static_cast<float>(std::abs(px.v(kp, lm, c) - px.v(km - 1, lm, c))) * 2.0f;
        if (known(k, l + 1))
          gy = known(k, l - 1) ? static_cast<float>(std::abs(px.v(km, lp + 1, c) - px.v(km, lm, c)) +
                                                    std::abs(px.v(km, lm, c) - px.v(km, lm - 1, c)))
                               : static_cast<float>(std::abs(px.v(km, lp + 1, c) - px.v(km, lm, c))) * 2.0f;
        else if (known(k, l - 1))
          gy = static_cast<float>(std::abs(px.v(km, lm, c) - px.v(km, lm - 1, c))) * 2.0f;
        gx = -gx;
        float dir = rx * gx + ry * gy;
        if (std::fabs(dir) <= 0.01) {
          dir = 0.000001f;
        } else {
          dir = std::fabs((rx * gx + ry * gy) / std::sqrt(len2 * (gx * gx + gy * gy)));
        }
        const float w = dst * dir;
        ia[c] += w * static_cast<float>(px.v(km, lm, c));
        s[c] += w;
      }
    }
  }
  for (int c = 0; c < 3; ++c)
    px.rgb[(static_cast<size_t>(i - 1) * px.width + (j - 1)) * 3 + c] =
        to_u8(static_cast<double>(ia[c]) / s[c]);
}

}  // namespace

const char* classical_method_name(ClassicalMethod m) { return m == ClassicalMethod::kTelea ? "telea" : "ns"; }

Status classical_inpaint(ClassicalMethod method, const InpaintMask& mask, int radius,
                         image::Image* image) {
  if (mask.width != image->width || mask.height != image->height)
    return invalid_argument("classical_inpaint: the mask is " + std::to_string(mask.width) + "x" +
                            std::to_string(mask.height) + ", the image " + std::to_string(image->width) + "x" +
                            std::to_string(image->height));
  if (mask.empty()) return Status::ok();
  if (mask.full())
    return invalid_argument("the mask covers the whole image: " + std::string(classical_method_name(method)) +
                            " fills holes from the pixels around them, and there are none");
  if (image->width < 2 || image->height < 2)
    return invalid_argument("the image is " + std::to_string(image->width) + "x" + std::to_string(image->height) +
                            ": the classical methods need at least 2x2 pixels");
  const int range = std::clamp(radius, 1, 100);
  Grid grid;
  fmm::FrontQueue queue;
  std::vector<uint8_t> band;
  fmm::init_front(mask, &grid, &queue, &band);
  if (method == ClassicalMethod::kTelea) fmm::march_outside(mask, band, range, &grid);
  Pixels px{image->rgb.data(), image->width};
  if (method == ClassicalMethod::kTelea)
    fmm::march_inside(&grid, &queue, [&](int i, int j) { telea_fill(grid, range, px, i, j); });
  else
    fmm::march_inside(&grid, &queue, [&](int i, int j) { ns_fill(grid, range, px, i, j); });
  return Status::ok();
}

}  // namespace toonbox::pipeline
