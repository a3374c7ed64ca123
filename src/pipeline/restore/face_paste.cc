#include "pipeline/restore/face_paste.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>

namespace toonbox::pipeline {

namespace {

// Catmull-Rom (Keys, a = -0.5) weights of the four taps around a sample at fraction t.
std::array<double, 4> cubic_weights(double t) {
  const double t2 = t * t, t3 = t2 * t;
  return {(-t3 + 2 * t2 - t) / 2, (3 * t3 - 5 * t2 + 2) / 2, (-3 * t3 + 4 * t2 + t) / 2, (t3 - t2) / 2};
}

// Bicubic sample at (x, y) of a w x h grid read by fetch(ix, iy, out[3]); coordinates and
// taps are clamped to the grid (edge repeated).
template <class Fetch>
void bicubic3(const Fetch& fetch, double x, double y, int w, int h, double out[3]) {
  x = std::clamp(x, 0.0, w - 1.0);
  y = std::clamp(y, 0.0, h - 1.0);
  const int ix = static_cast<int>(std::floor(x)), iy = static_cast<int>(std::floor(y));
  const auto wx = cubic_weights(x - ix), wy = cubic_weights(y - iy);
  out[0] = out[1] = out[2] = 0;
  for (int j = 0; j < 4; ++j) {
    const int sy = std::clamp(iy - 1 + j, 0, h - 1);
    double row[3] = {0, 0, 0};
    for (int i = 0; i < 4; ++i) {
      const int sx = std::clamp(ix - 1 + i, 0, w - 1);
      float px[3];
      fetch(sx, sy, px);
      for (int c = 0; c < 3; ++c) row[c] += wx[i] * px[c];
    }
    for (int c = 0; c < 3; ++c) out[c] += wy[j] * row[c];
  }
}

// Sliding minimum over a window [i - before, i + after] of a row (cv2.erode with a
// kernel of before + after + 1 ones, anchored at its centre; outside the row does not
// count, as cv2's erode border).
void min_filter_1d(const float* in, float* out, int n, int stride, int before, int after) {
  std::deque<int> q;  // indices of increasing values
  int next = 0;
  for (int i = 0; i < n; ++i) {
    const int hi = std::min(n - 1, i + after);
    for (; next <= hi; ++next) {
      while (!q.empty() && in[static_cast<size_t>(q.back()) * stride] >= in[static_cast<size_t>(next) * stride]) q.pop_back();
      q.push_back(next);
    }
    while (q.front() < i - before) q.pop_front();
    out[static_cast<size_t>(i) * stride] = in[static_cast<size_t>(q.front()) * stride];
  }
}

// Erosion by a k x k square (cv2's anchor: k/2 before, k - 1 - k/2 after), separable.
void erode(std::vector<float>* m, int w, int h, int k) {
  if (k <= 1) return;
  const int before = k / 2, after = k - 1 - k / 2;
  std::vector<float> tmp(m->size());
#pragma omp parallel for schedule(static)
  for (int y = 0; y < h; ++y) min_filter_1d(&(*m)[static_cast<size_t>(y) * w], &tmp[static_cast<size_t>(y) * w], w, 1, before, after);
#pragma omp parallel for schedule(static)
  for (int x = 0; x < w; ++x) min_filter_1d(&tmp[x], &(*m)[x], h, w, before, after);
}

int reflect101(int i, int n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

// cv2.GaussianBlur(m, (k, k), 0): sigma = 0.3·((k - 1)/2 - 1) + 0.8, BORDER_REFLECT_101.
void gaussian_blur(std::vector<float>* m, int w, int h, int k) {
  if (k <= 1) return;
  const int r = k / 2;
  const double sigma = 0.3 * ((k - 1) * 0.5 - 1) + 0.8;
  std::vector<double> taps(k);
  double sum = 0;
  for (int i = 0; i < k; ++i) sum += taps[i] = std::exp(-(i - r) * (i - r) / (2 * sigma * sigma));
  for (double& t : taps) t /= sum;
  std::vector<float> tmp(m->size());
#pragma omp parallel for schedule(static)
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double acc = 0;
      for (int i = 0; i < k; ++i) acc += taps[i] * (*m)[static_cast<size_t>(y) * w + reflect101(x - r + i, w)];
      tmp[static_cast<size_t>(y) * w + x] = static_cast<float>(acc);
    }
#pragma omp parallel for schedule(static)
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double acc = 0;
      for (int i = 0; i < k; ++i) acc += taps[i] * tmp[static_cast<size_t>(reflect101(y - r + i, h)) * w + x];
      (*m)[static_cast<size_t>(y) * w + x] = static_cast<float>(acc);
    }
}

// cv2.warpAffine of a crop of ones (bilinear, constant 0 outside): how much of the
// bilinear footprint of crop point (u, v) lies inside the S x S crop.
double crop_coverage(double u, double v, int size) {
  const auto axis = [size](double t) {
    if (t <= -1.0 || t >= size) return 0.0;
    if (t < 0) return 1.0 + t;
    if (t > size - 1) return size - t;
    return 1.0;
  };
  return axis(u) * axis(v);
}

}  // namespace

Result<image::Affine2> restore_alignment(const detect::Face& face, models::FaceTemplate tmpl,
                                         int crop_size) {
  std::array<image::Point2, 5> src, dst;
  const auto t = models::face_template_points(tmpl, crop_size);
  for (int k = 0; k < 5; ++k) {
    src[k] = {face.landmarks[2 * k], face.landmarks[2 * k + 1]};
    dst[k] = {t[k].x, t[k].y};
  }
  return image::estimate_similarity(src, dst);
}

void fill_face_crop(const image::Image& frame, const image::Affine2& crop_to_frame, int s,
                    int64_t item, Tensor* t) {
  float* out = t->data<float>() + item * 3 * static_cast<int64_t>(s) * s;
  const size_t plane = static_cast<size_t>(s) * s;
  const auto fetch = [&](int x, int y, float px[3]) {
    const uint8_t* p = &frame.rgb[(static_cast<size_t>(y) * frame.width + x) * 3];
    px[0] = p[0];
    px[1] = p[1];
    px[2] = p[2];
  };
#pragma omp parallel for schedule(static)
  for (int v = 0; v < s; ++v)
    for (int u = 0; u < s; ++u) {
      const image::Point2 p = crop_to_frame.apply({static_cast<double>(u), static_cast<double>(v)});
      double rgb[3];
      bicubic3(fetch, p.x, p.y, frame.width, frame.height, rgb);
      const size_t o = static_cast<size_t>(v) * s + u;
      for (int c = 0; c < 3; ++c) {
        // Clamped to 0..255 first: the cubic overshoots at edges, and the model was
        // trained on 8-bit crops.
        const double x = std::clamp(rgb[c], 0.0, 255.0);
        out[c * plane + o] = static_cast<float>((x / 255.0 - 0.5) / 0.5);
      }
    }
}

PasteMask face_paste_mask(int cw, int ch, const image::Affine2& canvas_to_crop, int s,
                          int upscale) {
  PasteMask m;
  auto inv = canvas_to_crop.inverse();
  if (!inv.is_ok()) return m;
  // The canvas rectangle the crop covers (plus a pixel for the bilinear footprint).
  double lo_x = 1e300, lo_y = 1e300, hi_x = -1e300, hi_y = -1e300;
  for (double u : {-1.0, static_cast<double>(s)})
    for (double v : {-1.0, static_cast<double>(s)}) {
      const image::Point2 p = inv->apply({u, v});
      lo_x = std::min(lo_x, p.x);
      lo_y = std::min(lo_y, p.y);
      hi_x = std::max(hi_x, p.x);
      hi_y = std::max(hi_y, p.y);
    }
  const int x0 = static_cast<int>(std::clamp(std::floor(lo_x) - 1, 0.0, static_cast<double>(cw)));
  const int y0 = static_cast<int>(std::clamp(std::floor(lo_y) - 1, 0.0, static_cast<double>(ch)));
  const int x1 = static_cast<int>(std::clamp(std::ceil(hi_x) + 1, 0.0, static_cast<double>(cw)));
  const int y1 = static_cast<int>(std::clamp(std::ceil(hi_y) + 1, 0.0, static_cast<double>(ch)));
  if (x1 <= x0 || y1 <= y0) return m;
  m.x0 = x0;
  m.y0 = y0;
  m.width = x1 - x0;
  m.height = y1 - y0;
  m.weight.assign(static_cast<size_t>(m.width) * m.height, 0.f);
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x) {
      const image::Point2 q =
          canvas_to_crop.apply({static_cast<double>(x0 + x), static_cast<double>(y0 + y)});
      m.weight[static_cast<size_t>(y) * m.width + x] = static_cast<float>(crop_coverage(q.x, q.y, s));
    }
  // "remove the black borders": the warped square's anti-aliased edge.
  erode(&m.weight, m.width, m.height, 2 * upscale);
  double area = 0;
  for (float w : m.weight) area += w;
  // "compute the fusion edge based on the area of face": w_edge = int(area**0.5) // 20.
  m.edge = std::max(1, static_cast<int>(std::sqrt(area)) / 20);
  erode(&m.weight, m.width, m.height, 2 * m.edge);
  gaussian_blur(&m.weight, m.width, m.height, 2 * m.edge + 1);
  return m;
}

void paste_restored_face(const OutputPixels& face, int s, const image::Affine2& canvas_to_crop,
                         const PasteMask& mask, int cw, int ch, std::vector<float>* canvas) {
  (void)ch;
  const auto fetch = [&](int x, int y, float px[3]) {
    px[0] = face.at(y, x, 0);
    px[1] = face.at(y, x, 1);
    px[2] = face.at(y, x, 2);
  };
#pragma omp parallel for schedule(static)
  for (int y = mask.y0; y < mask.y0 + mask.height; ++y)
    for (int x = mask.x0; x < mask.x0 + mask.width; ++x) {
      const float w = mask.at(x, y);
      if (!(w > 0.f)) continue;
      const image::Point2 q =
          canvas_to_crop.apply({static_cast<double>(x), static_cast<double>(y)});
      double rgb[3];
      bicubic3(fetch, q.x, q.y, s, s, rgb);
      float* out = &(*canvas)[(static_cast<size_t>(y) * cw + x) * 3];
      for (int c = 0; c < 3; ++c) {
        const double f = std::clamp(rgb[c], 0.0, 255.0);
        out[c] = static_cast<float>(w * f + (1.0 - w) * out[c]);
      }
    }
}

}  // namespace toonbox::pipeline
