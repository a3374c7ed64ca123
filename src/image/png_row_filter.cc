#include "image/png_row_filter.h"

#include <cstdlib>

namespace toonbox::image {

void paeth_filter_row(const uint8_t* __restrict row, const uint8_t* __restrict up, size_t bytes, int bpp,
                      uint8_t* __restrict out) {
  const size_t lead = static_cast<size_t>(bpp) < bytes ? static_cast<size_t>(bpp) : bytes;
  if (up == nullptr) {
    for (size_t x = 0; x < lead; ++x) out[x] = row[x];
    for (size_t x = lead; x < bytes; ++x) out[x] = static_cast<uint8_t>(row[x] - row[x - bpp]);
    return;
  }
  // The first pixel has no left or up-left neighbour: paeth(0, b, 0) = b.
  for (size_t x = 0; x < lead; ++x) out[x] = static_cast<uint8_t>(row[x] - up[x]);
  for (size_t x = lead; x < bytes; ++x) {
    const int a = row[x - bpp], b = up[x], c = up[x - bpp];
    // |p - a|, |p - b|, |p - c| for p = a + b - c, with the spec's tie order a, b, c.
    const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
    const int predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
    out[x] = static_cast<uint8_t>(row[x] - predictor);
  }
}

}  // namespace toonbox::image
