#include "pipeline/inpaint/inpaint_mask.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace toonbox::pipeline {

int64_t InpaintMask::count() const {
  int64_t n = 0;
  for (uint8_t v : hole) n += v != 0;
  return n;
}

InpaintMask mask_from_image(const image::Image& m) {
  InpaintMask mask;
  mask.width = m.width;
  mask.height = m.height;
  mask.hole.resize(static_cast<size_t>(m.width) * m.height);
  for (size_t i = 0; i < mask.hole.size(); ++i) {
    const uint8_t* p = &m.rgb[i * 3];
    // OpenCV's fixed-point BGR2GRAY: (R*4899 + G*9617 + B*1868 + 8192) >> 14.
    const int grey = (p[0] * 4899 + p[1] * 9617 + p[2] * 1868 + 8192) >> 14;
    mask.hole[i] = grey >= 128;
  }
  return mask;
}

Result<InpaintMask> mask_from_alpha(const image::Image& image, const std::string& what) {
  if (!image.has_alpha())
    return invalid_argument(what + " has no alpha channel to use as the mask (give --mask FILE)");
  InpaintMask mask;
  mask.width = image.width;
  mask.height = image.height;
  mask.hole.resize(image.alpha.size());
  for (size_t i = 0; i < image.alpha.size(); ++i) mask.hole[i] = image.alpha[i] < 128;
  return mask;
}

InpaintMask resize_mask_nearest(const InpaintMask& mask, int width, int height) {
  InpaintMask out;
  out.width = width;
  out.height = height;
  out.hole.resize(static_cast<size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    // OpenCV INTER_NEAREST: floor(dst * src / dst_size).
    const int sy = std::min(mask.height - 1, static_cast<int>(static_cast<int64_t>(y) * mask.height / height));
    for (int x = 0; x < width; ++x) {
      const int sx = std::min(mask.width - 1, static_cast<int>(static_cast<int64_t>(x) * mask.width / width));
      out.hole[static_cast<size_t>(y) * width + x] = mask.hole[static_cast<size_t>(sy) * mask.width + sx];
    }
  }
  return out;
}

Result<InpaintMask> fit_mask_to_image(InpaintMask mask, int width, int height, bool resize,
                                      const std::string& mask_name, const std::string& image_name) {
  if (mask.width == width && mask.height == height) return mask;
  if (!resize)
    return invalid_argument(mask_name + ": the mask is " + std::to_string(mask.width) + "x" +
                            std::to_string(mask.height) + ", the image " + image_name + " is " +
                            std::to_string(width) + "x" + std::to_string(height) +
                            " (give a mask of the image's size, or --resize-mask to scale it, nearest)");
  return resize_mask_nearest(mask, width, height);
}

InpaintMask centre_box_mask(int width, int height, int percent) {
  InpaintMask m;
  m.width = width;
  m.height = height;
  m.hole.assign(static_cast<size_t>(width) * height, 0);
  const int bw = std::max(1, width * percent / 100), bh = std::max(1, height * percent / 100);
  const int x0 = (width - bw) / 2, y0 = (height - bh) / 2;
  for (int y = y0; y < y0 + bh; ++y) std::fill_n(&m.hole[static_cast<size_t>(y) * width + x0], bw, 1);
  return m;
}

int parse_centre_mask(const std::string& spec) {
  if (spec.rfind("centre:", 0) != 0) return 0;
  const std::string n = spec.substr(7);
  if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos) return 0;
  const int p = std::stoi(n);
  return p >= 1 && p <= 100 ? p : 0;
}

Result<InpaintMask> mask_for_image(const image::Image& image, const image::Image* mask_image,
                                   bool resize, int dilate, const std::string& mask_name,
                                   const std::string& image_name) {
  if (dilate < 0 || dilate > kMaxDilate)
    return invalid_argument("dilate must be 0.." + std::to_string(kMaxDilate) + " pixels, got " + std::to_string(dilate));
  InpaintMask mask;
  if (mask_image) {
    TB_ASSIGN_OR_RETURN(mask, fit_mask_to_image(mask_from_image(*mask_image), image.width, image.height, resize,
                                                mask_name, image_name));
  } else {
    TB_ASSIGN_OR_RETURN(mask, mask_from_alpha(image, image_name));
  }
  return dilate_mask(mask, dilate);
}

PixelBox hole_bounds(const InpaintMask& mask) {
  PixelBox b{mask.width, mask.height, 0, 0};
  for (int y = 0; y < mask.height; ++y) {
    const uint8_t* row = &mask.hole[static_cast<size_t>(y) * mask.width];
    for (int x = 0; x < mask.width; ++x) {
      if (!row[x]) continue;
      b.x0 = std::min(b.x0, x);
      b.x1 = std::max(b.x1, x + 1);
      b.y0 = std::min(b.y0, y);
      b.y1 = std::max(b.y1, y + 1);
    }
  }
  if (b.empty()) return PixelBox{};
  return b;
}

InpaintMask dilate_mask(const InpaintMask& mask, int radius) {
  if (radius <= 0) return mask;
  const PixelBox holes = hole_bounds(mask);
  if (holes.empty()) return mask;
  const int w = mask.width, h = mask.height;
  const PixelBox area{std::max(0, holes.x0 - radius), std::max(0, holes.y0 - radius),
                      std::min(w, holes.x1 + radius), std::min(h, holes.y1 + radius)};
  // Per row of the source, each pixel's horizontal distance to the nearest hole in that row.
  const int aw = area.width();
  const int kFar = std::numeric_limits<int>::max() / 2;
  std::vector<int> dist(static_cast<size_t>(area.height()) * aw, kFar);
  for (int y = area.y0; y < area.y1; ++y) {
    int* d = &dist[static_cast<size_t>(y - area.y0) * aw];
    const uint8_t* row = &mask.hole[static_cast<size_t>(y) * w];
    int last = -kFar;
    for (int x = area.x0; x < area.x1; ++x) {
      if (row[x]) last = x;
      d[x - area.x0] = x - last;
    }
    last = kFar;
    for (int x = area.x1 - 1; x >= area.x0; --x) {
      if (row[x]) last = x;
      d[x - area.x0] = std::min(d[x - area.x0], last - x);
    }
  }
  std::vector<int> reach(2 * radius + 1);  // half-width of the disc at each row offset
  for (int dy = -radius; dy <= radius; ++dy)
    reach[dy + radius] = static_cast<int>(std::floor(std::sqrt(static_cast<double>(radius) * radius - dy * dy)));
  InpaintMask out = mask;
  for (int y = area.y0; y < area.y1; ++y) {
    uint8_t* orow = &out.hole[static_cast<size_t>(y) * w];
    for (int x = area.x0; x < area.x1; ++x) {
      if (orow[x]) continue;
      for (int dy = -radius; dy <= radius; ++dy) {
        const int sy = y + dy;
        if (sy < area.y0 || sy >= area.y1) continue;
        if (dist[static_cast<size_t>(sy - area.y0) * aw + (x - area.x0)] <= reach[dy + radius]) {
          orow[x] = 1;
          break;
        }
      }
    }
  }
  return out;
}

std::vector<PixelBox> hole_region_boxes(const InpaintMask& mask) {
  const int w = mask.width, h = mask.height;
  std::vector<uint8_t> seen(mask.hole.size(), 0);
  std::vector<std::pair<int, int>> stack;
  std::vector<PixelBox> boxes;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const size_t i = static_cast<size_t>(y) * w + x;
      if (!mask.hole[i] || seen[i]) continue;
      PixelBox b{x, y, x + 1, y + 1};
      seen[i] = 1;
      stack.assign(1, {x, y});
      while (!stack.empty()) {
        const auto [cx, cy] = stack.back();
        stack.pop_back();
        b.x0 = std::min(b.x0, cx);
        b.x1 = std::max(b.x1, cx + 1);
        b.y0 = std::min(b.y0, cy);
        b.y1 = std::max(b.y1, cy + 1);
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int nx = cx + dx, ny = cy + dy;
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            const size_t j = static_cast<size_t>(ny) * w + nx;
            if (mask.hole[j] && !seen[j]) {
              seen[j] = 1;
              stack.emplace_back(nx, ny);
            }
          }
      }
      boxes.push_back(b);
    }
  }
  return boxes;
}

InpaintMask crop_mask(const InpaintMask& mask, const PixelBox& box) {
  InpaintMask out;
  out.width = box.width();
  out.height = box.height();
  out.hole.resize(static_cast<size_t>(out.width) * out.height);
  for (int y = 0; y < out.height; ++y)
    std::copy_n(&mask.hole[static_cast<size_t>(y + box.y0) * mask.width + box.x0], out.width,
                &out.hole[static_cast<size_t>(y) * out.width]);
  return out;
}

image::Image crop_image(const image::Image& image, const PixelBox& box) {
  image::Image out;
  out.width = box.width();
  out.height = box.height();
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y)
    std::copy_n(&image.rgb[(static_cast<size_t>(y + box.y0) * image.width + box.x0) * 3], out.width * 3,
                &out.rgb[static_cast<size_t>(y) * out.width * 3]);
  if (image.has_alpha()) {
    out.alpha.resize(static_cast<size_t>(out.width) * out.height);
    for (int y = 0; y < out.height; ++y)
      std::copy_n(&image.alpha[static_cast<size_t>(y + box.y0) * image.width + box.x0], out.width,
                  &out.alpha[static_cast<size_t>(y) * out.width]);
  }
  return out;
}

}  // namespace toonbox::pipeline
