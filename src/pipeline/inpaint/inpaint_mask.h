// The inpainting mask: which pixels to remove, read from a mask image (white >= 128 is
// removed, grey as OpenCV's IMREAD_GRAYSCALE reads it, which is what IOPaint loads) or
// from the photo's own alpha channel (transparent, alpha < 128, is removed, as image
// editing APIs mark the area to fill). Also the operations every method shares: size
// checks, nearest resize, dilation, and the boxes around the regions to fill.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::pipeline {

struct InpaintMask {
  int width = 0, height = 0;
  std::vector<uint8_t> hole;  // width*height, 1 = remove, 0 = keep

  bool at(int x, int y) const { return hole[static_cast<size_t>(y) * width + x] != 0; }
  int64_t count() const;       // pixels to remove
  bool empty() const { return count() == 0; }
  bool full() const { return count() == static_cast<int64_t>(width) * height; }
};

// 0.299 R + 0.587 G + 0.114 B (rounded, as OpenCV's BGR2GRAY) >= 128 is a hole.
InpaintMask mask_from_image(const image::Image& mask_image);
// alpha < 128 is a hole; an image without alpha is refused (naming `what`).
Result<InpaintMask> mask_from_alpha(const image::Image& image, const std::string& what);

// The mask must have the image's size: "the mask is 640x480, the image 800x600" (with
// `resize`, a nearest-neighbour resize to the image's size instead, as IOPaint's
// INTER_NEAREST).
Result<InpaintMask> fit_mask_to_image(InpaintMask mask, int width, int height, bool resize,
                                      const std::string& mask_name, const std::string& image_name);
InpaintMask resize_mask_nearest(const InpaintMask& mask, int width, int height);

// A centred box `percent` of each side (1..100): the mask `--mask centre:P` names, which
// benchmarks use so every image size gets the same kind of hole without a mask file.
InpaintMask centre_box_mask(int width, int height, int percent);
// "centre:P" -> P; 0 when `spec` is not of that form.
int parse_centre_mask(const std::string& spec);

// The mask every front end applies: read from `mask_image`, or from `image`'s alpha when
// it is null; fitted to the image (refused when sizes differ, or resized nearest with
// `resize`); dilated by `dilate` pixels (0..kMaxDilate).
inline constexpr int kMaxDilate = 512;
Result<InpaintMask> mask_for_image(const image::Image& image, const image::Image* mask_image,
                                   bool resize, int dilate, const std::string& mask_name,
                                   const std::string& image_name);

// Grows the holes by `radius` pixels (a disc: every pixel within Euclidean distance
// `radius` of a hole becomes one). Works inside the holes' bounding box plus the radius,
// so a small watermark on a huge photo costs little.
InpaintMask dilate_mask(const InpaintMask& mask, int radius);

struct PixelBox {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // [x0, x1) x [y0, y1)
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
  bool empty() const { return x1 <= x0 || y1 <= y0; }
};

// The bounding box of every 8-connected region of holes (what IOPaint's boxes_from_mask
// gets from cv2.findContours).
std::vector<PixelBox> hole_region_boxes(const InpaintMask& mask);
// The bounding box of all holes; empty when there are none.
PixelBox hole_bounds(const InpaintMask& mask);

// The mask's window `box`.
InpaintMask crop_mask(const InpaintMask& mask, const PixelBox& box);
// The image's window `box` (alpha included).
image::Image crop_image(const image::Image& image, const PixelBox& box);

}  // namespace toonbox::pipeline
