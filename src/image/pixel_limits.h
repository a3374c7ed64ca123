// The size checks every decoder runs on header values before allocating pixel memory.
// Header dimensions are attacker-controlled: a 100-byte PNG can claim 100000x100000.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace toonbox::image {

// Larger than any real photo, small enough that width*height*4 bytes cannot overflow
// anything downstream (model pre-processing uses int offsets per row).
inline constexpr int64_t kMaxImageSide = 65535;

// kDataLoss for a side <= 0, kInvalidArgument for max_pixels <= 0, kResourceExhausted when
// width*height exceeds max_pixels or a side exceeds kMaxImageSide.
Status check_pixel_limit(int64_t width, int64_t height, int64_t max_pixels);

// width*height*channels as size_t, or kResourceExhausted when it does not fit.
Result<size_t> pixel_buffer_size(int64_t width, int64_t height, int64_t channels);

}  // namespace toonbox::image
