// Large images in pieces: a plan of overlapping tiles of one size, feathered blending
// weights that sum to 1 at every pixel, an accumulator that blends the tiles' outputs
// back into one image, and the rule that picks a tile size from free memory.
//
// Why tiles of one size: every tile then runs on the same compiled executable (one
// cuDNN search, one arena), and the last tile of a row is shifted left to end at the
// image edge rather than being a thin sliver with little context.
//
// Why aligned starts: a network with stride-2 levels is only shift-invariant for shifts
// that are multiples of its total stride. A tile starting at x = 100 in a White-box
// (stride 4) would sample its downsampling grid at another phase than the whole image
// does and differ everywhere (measured: 31.7 dB instead of > 40 dB). So tile starts are
// multiples of `align` (the model's size multiple), and the last tile may run past the
// image by less than `align` (edge-replicated, like the whole image's padding).
//
// Why overlap and feathering: a tile's pixels near its cut edges see edge replication
// instead of their real neighbours, so they differ from the whole-image result. Two
// neighbouring tiles share at least `overlap` pixels; the hand-over between them is a
// cosine ramp `overlap / 2` wide centred in the shared strip, so every pixel a tile
// contributes to is at least `overlap / 4` pixels from that tile's cut edge, and the
// blend hides what small difference is left (no seam). The model decides `overlap`
// (ModelSource::tile_overlap) from its receptive field.
#pragma once

#include <cstddef>
#include <vector>

#include "core/tensor.h"
#include "image/image.h"
#include "pipeline/image_tensor.h"

namespace toonbox::pipeline {

struct TileRect {
  int x = 0, y = 0, width = 0, height = 0;
};

// One axis: tile starts, the common tile length, and the blend band between tile i and
// i + 1 ([band_begin[i], band_end[i])).
struct AxisTiles {
  int length = 0;                 // image length along this axis
  int tile = 0;                   // tile length (== length when one tile)
  std::vector<int> starts;
  std::vector<int> band_begin, band_end;
  // Blending weight of tile i at absolute coordinate p: 1 inside, a cosine ramp across
  // the bands, 0 outside; the weights of all tiles sum to 1 at every p.
  float weight(size_t i, int p) const;
};

struct TilePlan {
  AxisTiles xs, ys;
  int overlap = 0;
  size_t count() const { return xs.starts.size() * ys.starts.size(); }
  // Tiles in row-major order; the last of a row/column may run past the image.
  TileRect rect(size_t i) const;
  float weight(size_t i, int x, int y) const;
  // The same tiles and bands in the coordinates of an output `factor` times larger (an
  // upscaler's): the weights still sum to 1 at every output pixel.
  TilePlan scaled(int factor) const;
};

// Tiles of `tile` x `tile` pixels (rounded down to `align`) starting at multiples of
// `align`, with at least `overlap` shared pixels between neighbours. `tile` must be
// > `overlap` + `align`; an axis that fits in one tile gets one tile of its length.
TilePlan plan_tiles(int width, int height, int tile, int overlap, int align = 1);

// The sub-image under `rect`, edge-replicated where the rect runs past the image
// (alpha dropped: it is passed through unstylized).
image::Image crop_image(const image::Image& image, const TileRect& rect);

// Sums weight * tile output into a float RGB canvas on the 0..255 scale.
class TileBlender {
 public:
  explicit TileBlender(const TilePlan& plan);
  // `output` is a tile's model output whose pixel (margin, margin) is the tile's origin
  // (the tile was padded by `margin` on every side, and at bottom/right to the model's
  // size multiple).
  void add(size_t tile, const OutputPixels& output, int margin);
  // Rounds and clamps the blended canvas to 8-bit RGB.
  image::Image finish() const;
  // The blended canvas, RGB on the 0..255 scale, not rounded (for averaging several runs).
  const std::vector<float>& canvas() const { return canvas_; }

 private:
  const TilePlan& plan_;
  std::vector<float> canvas_;
};

// Automatic tile size. A compiled shape's activation arena is proportional to its
// pixel count, so `bytes_per_pixel` (measured from an executable) times the pixels is
// what a shape needs. The whole image runs when it fits in `budget`; otherwise tiles
// get the largest side whose tile fits, rounded down to `multiple`, at least
// `min_tile`. Returns 0 for "no tiles".
int auto_tile_side(int padded_width, int padded_height, double bytes_per_pixel, size_t budget,
                   int multiple, int min_tile);

// Rounds `side` down to a multiple of `multiple` (at least `multiple`).
int round_down_to_multiple(int side, int multiple);

}  // namespace toonbox::pipeline
