#include "pipeline/inpaint/fast_marching.h"

#include <algorithm>
#include <cmath>

namespace toonbox::pipeline::fmm {

namespace {

// OpenCV's FastMarching_solve: the first-order upwind solution of |grad T| = 1 from two
// neighbours, in double, returned as float.
float solve_pair(const Grid& s, const Grid& t, int i1, int j1, int i2, int j2) {
  const double a11 = t.T(i1, j1), a22 = t.T(i2, j2);
  const double m12 = std::min(a11, a22);
  const bool known1 = s.f(i1, j1) != kInside, known2 = s.f(i2, j2) != kInside;
  double sol;
  if (known1 && known2) {
    sol = std::fabs(a11 - a22) >= 1.0 ? 1 + m12 : (a11 + a22 + std::sqrt(2 - (a11 - a22) * (a11 - a22))) * 0.5;
  } else if (known1) {
    sol = 1 + a11;
  } else if (known2) {
    sol = 1 + a22;
  } else {
    sol = 1 + m12;
  }
  return static_cast<float>(sol);
}

Grid make_grid(const InpaintMask& mask) {
  Grid g;
  g.rows = mask.height + 2;
  g.cols = mask.width + 2;
  g.state.assign(static_cast<size_t>(g.rows) * g.cols, kKnown);
  g.t.assign(g.state.size(), 1.0e6f);
  return g;
}

}  // namespace

float arrival_time(const Grid& s, const Grid& t, int i, int j) {
  const float a = solve_pair(s, t, i - 1, j, i, j - 1), b = solve_pair(s, t, i + 1, j, i, j - 1),
              c = solve_pair(s, t, i - 1, j, i, j + 1), d = solve_pair(s, t, i + 1, j, i, j + 1);
  return std::min(std::min(a, b), std::min(c, d));
}

void init_front(const InpaintMask& mask, Grid* holes, FrontQueue* queue, std::vector<uint8_t>* band_out) {
  *holes = make_grid(mask);
  Grid& g = *holes;
  for (int y = 0; y < mask.height; ++y)
    for (int x = 0; x < mask.width; ++x)
      if (mask.at(x, y)) g.f(y + 1, x + 1) = kInside;
  // The band: known pixels 4-adjacent to a hole (a cross dilation minus the holes), not on
  // the border; pushed in raster order with T = 0.
  std::vector<uint8_t> band(g.state.size(), 0);
  for (int i = 1; i < g.rows - 1; ++i)
    for (int j = 1; j < g.cols - 1; ++j) {
      if (g.f(i, j) == kInside) continue;
      if (g.f(i - 1, j) == kInside || g.f(i + 1, j) == kInside || g.f(i, j - 1) == kInside ||
          g.f(i, j + 1) == kInside) {
        band[static_cast<size_t>(i) * g.cols + j] = 1;
        g.T(i, j) = 0.f;
        queue->push(i, j, 0.f);
      }
    }
  if (band_out) *band_out = std::move(band);
}

void march_outside(const InpaintMask& mask, const std::vector<uint8_t>& band, int radius, Grid* holes) {
  Grid ring = make_grid(mask);
  // The ring: known pixels within the (2r+1)-square around a hole, minus the band; marked
  // kInside (still to be reached) for the march. Border pixels stay out.
  const int rows = ring.rows, cols = ring.cols;
  std::vector<int> row_hits(static_cast<size_t>(rows) * cols, 0);  // holes within +-r in the row
  for (int i = 1; i < rows - 1; ++i) {
    int run = 0;
    // Sliding window count of holes in [j-r, j+r] along row i.
    auto is_hole = [&](int j) { return j >= 1 && j <= cols - 2 && holes->f(i, j) == kInside; };
    for (int j = -radius; j <= radius; ++j) run += is_hole(j);
    for (int j = 0; j < cols; ++j) {
      row_hits[static_cast<size_t>(i) * cols + j] = run;
      run += is_hole(j + radius + 1) - is_hole(j - radius);
    }
  }
  for (int i = 1; i < rows - 1; ++i)
    for (int j = 1; j < cols - 1; ++j) {
      const size_t idx = static_cast<size_t>(i) * cols + j;
      if (holes->f(i, j) == kInside || band[idx]) continue;
      bool near = false;
      for (int k = std::max(0, i - radius); k <= std::min(rows - 1, i + radius) && !near; ++k)
        near = row_hits[static_cast<size_t>(k) * cols + j] > 0;
      if (near) ring.f(i, j) = kInside;
    }
  FrontQueue queue;
  for (int i = 1; i < rows - 1; ++i)
    for (int j = 1; j < cols - 1; ++j)
      if (band[static_cast<size_t>(i) * cols + j]) queue.push(i, j, 0.f);
  int ii = 0, jj = 0;
  static constexpr int kDi[4] = {-1, 0, 1, 0}, kDj[4] = {0, -1, 0, 1};
  while (queue.pop(&ii, &jj)) {
    ring.f(ii, jj) = kChange;
    for (int q = 0; q < 4; ++q) {
      const int i = ii + kDi[q], j = jj + kDj[q];
      if (i < 1 || j < 1 || i > rows - 2 || j > cols - 2) continue;
      if (ring.f(i, j) != kInside) continue;
      const float dist = arrival_time(ring, *holes, i, j);
      holes->T(i, j) = dist;
      ring.f(i, j) = kBand;
      queue.push(i, j, dist);
    }
  }
  for (size_t idx = 0; idx < ring.state.size(); ++idx)
    if (ring.state[idx] == kChange) holes->t[idx] = -holes->t[idx];
}

}  // namespace toonbox::pipeline::fmm
