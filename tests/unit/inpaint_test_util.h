// Shared pieces of the inpainting tests: synthetic photos and masks, the system Python
// with a module, temporary folders.
#pragma once

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "image/image.h"
#include "pipeline/inpaint/inpaint_mask.h"

namespace toonbox::test {

// Smooth colour gradients with a few soft edges: what the classical methods fill well.
inline image::Image inpaint_test_photo(int w, int h) {
  image::Image img;
  img.width = w;
  img.height = h;
  img.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &img.rgb[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(40 + 170.0 * x / w);
      p[1] = static_cast<uint8_t>(60 + 120.0 * y / h + 20 * std::sin(x * 0.05));
      p[2] = static_cast<uint8_t>(x + y < (w + h) / 2 ? 70 : 190);
    }
  return img;
}

inline pipeline::InpaintMask empty_mask(int w, int h) {
  pipeline::InpaintMask m;
  m.width = w;
  m.height = h;
  m.hole.assign(static_cast<size_t>(w) * h, 0);
  return m;
}

inline void add_disc(pipeline::InpaintMask* m, int cx, int cy, int r) {
  for (int y = std::max(0, cy - r); y <= std::min(m->height - 1, cy + r); ++y)
    for (int x = std::max(0, cx - r); x <= std::min(m->width - 1, cx + r); ++x)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) m->hole[static_cast<size_t>(y) * m->width + x] = 1;
}

inline void add_rect(pipeline::InpaintMask* m, int x0, int y0, int x1, int y1) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) m->hole[static_cast<size_t>(y) * m->width + x] = 1;
}

// The mask as an 8-bit image (white = hole).
inline image::Image mask_image(const pipeline::InpaintMask& m) {
  image::Image img;
  img.width = m.width;
  img.height = m.height;
  img.rgb.resize(m.hole.size() * 3);
  for (size_t i = 0; i < m.hole.size(); ++i) img.rgb[i * 3] = img.rgb[i * 3 + 1] = img.rgb[i * 3 + 2] = m.hole[i] ? 255 : 0;
  return img;
}

// The system Python that can import `module` (Debian's packages live in /usr/bin/python3,
// which a virtual environment on PATH may hide); empty when none can.
inline std::string python_with(const std::string& module) {
  for (const char* py : {"/usr/bin/python3", "python3"}) {
    const std::string cmd = std::string(py) + " -c 'import " + module + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return py;
  }
  return "";
}

// The source tree (TOONBOX_SOURCE_DIR, defined for toonbox_tests by tests/CMakeLists.txt).
inline std::filesystem::path repo_dir() { return TOONBOX_SOURCE_DIR; }

inline std::filesystem::path shared_images() {
  if (const char* env = std::getenv("TOONBOX_SHARED_DIR"); env && *env) return std::filesystem::path(env) / "images";
  return repo_dir().parent_path() / "shared" / "images";
}

inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace toonbox::test
