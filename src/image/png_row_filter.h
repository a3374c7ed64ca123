// PNG's Paeth filter (PNG spec 9.4) for 8-bit rows, the encoder's side.
#pragma once

#include <cstddef>
#include <cstdint>

namespace toonbox::image {

// out[x] = row[x] - paeth(left, up, up-left) over `bytes` bytes, with `bpp` bytes per pixel
// (3 or 4); `up` is nullptr for the first row (Paeth is then the Sub filter). The
// predictor reads only unfiltered bytes, so unlike decoding every byte is independent:
// the loop vectorizes, which is why this file is compiled with -O3.
void paeth_filter_row(const uint8_t* __restrict row, const uint8_t* __restrict up, size_t bytes, int bpp,
                      uint8_t* __restrict out);

}  // namespace toonbox::image
