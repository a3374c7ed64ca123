// The fast marching front both classical methods share (classical_inpaint.h), on a grid
// with a one-pixel border around the image, as OpenCV's icvInpaint lays it out: the
// states, the arrival times T, the narrow band's queue, and the eikonal update.
//
// Followed exactly, so results match cv2.inpaint: the queue pops the smallest T and, among
// equal T, the pixel pushed first (OpenCV's sorted list); T starts at 1e6 inside, 0 on the
// band (the known 4-neighbours of holes); the neighbour order; float arithmetic where
// OpenCV uses float. One deliberate difference: OpenCV never fills holes in the image's
// first row and column (its loop starts at index 2 of the bordered grid), leaving the
// original pixels there; toonbox fills them (a watermark in a corner must go).
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "pipeline/inpaint/inpaint_mask.h"

namespace toonbox::pipeline::fmm {

enum State : uint8_t { kKnown = 0, kBand = 1, kInside = 2, kChange = 3 };

// A (height+2) x (width+2) grid: grid index (i, j) is image pixel (j-1, i-1).
struct Grid {
  int rows = 0, cols = 0;
  std::vector<uint8_t> state;
  std::vector<float> t;
  uint8_t& f(int i, int j) { return state[static_cast<size_t>(i) * cols + j]; }
  uint8_t f(int i, int j) const { return state[static_cast<size_t>(i) * cols + j]; }
  float& T(int i, int j) { return t[static_cast<size_t>(i) * cols + j]; }
  float T(int i, int j) const { return t[static_cast<size_t>(i) * cols + j]; }
};

// Smallest T first; equal T in push order.
class FrontQueue {
 public:
  void push(int i, int j, float t) { heap_.push(Item{t, seq_++, i, j}); }
  bool pop(int* i, int* j) {
    if (heap_.empty()) return false;
    *i = heap_.top().i;
    *j = heap_.top().j;
    heap_.pop();
    return true;
  }

 private:
  struct Item {
    float t;
    uint64_t seq;
    int i, j;
    bool operator>(const Item& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap_;
  uint64_t seq_ = 0;
};

// The eikonal solution at (i, j) from its four quadrant pairs (OpenCV's
// min4(FastMarching_solve(...))): `states` says which neighbours have a final T.
float arrival_time(const Grid& states, const Grid& times, int i, int j);

// The state of both methods before filling: `holes` has kInside on holes, kKnown elsewhere
// (border included), T = 1e6 except 0 on the band; `queue` holds the band in raster
// order. `band` (optional) receives the band's mask on the grid.
void init_front(const InpaintMask& mask, Grid* holes, FrontQueue* queue, std::vector<uint8_t>* band);

// Telea only: T outside the holes, negative, out to `radius` pixels (OpenCV runs the same
// march outwards from the band over the ring around the holes and negates it), so the
// level-set weight sees known pixels' distance to the front.
void march_outside(const InpaintMask& mask, const std::vector<uint8_t>& band, int radius, Grid* holes);

// Calls fill(i, j) for each hole pixel in front order, after its T is set and before it
// joins the band; the grid's states say which pixels are known at that moment.
template <typename Fill>
void march_inside(Grid* g, FrontQueue* queue, Fill&& fill) {
  int ii = 0, jj = 0;
  static constexpr int kDi[4] = {-1, 0, 1, 0}, kDj[4] = {0, -1, 0, 1};
  while (queue->pop(&ii, &jj)) {
    g->f(ii, jj) = kKnown;
    for (int q = 0; q < 4; ++q) {
      const int i = ii + kDi[q], j = jj + kDj[q];
      if (i < 1 || j < 1 || i > g->rows - 2 || j > g->cols - 2) continue;
      if (g->f(i, j) != kInside) continue;
      const float dist = arrival_time(*g, *g, i, j);
      g->T(i, j) = dist;
      fill(i, j);
      g->f(i, j) = kBand;
      queue->push(i, j, dist);
    }
  }
}

}  // namespace toonbox::pipeline::fmm
