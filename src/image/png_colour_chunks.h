// PNG's older colour chunks (gAMA, cHRM) as an ICC profile, so one lcms2 path converts
// every declared colour space. Internal to src/image.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"

namespace toonbox::image {

// CIE xy chromaticities of the white point and the three primaries, as in cHRM.
struct PngChromaticity {
  double white_x = 0, white_y = 0, red_x = 0, red_y = 0, green_x = 0, green_y = 0, blue_x = 0,
         blue_y = 0;
};

// chroma: null when there is no cHRM (sRGB's primaries and D65 white then). file_gamma: the
// gAMA value (0.45455 for a 2.2 display gamma), 0 when there is none (sRGB's curve then).
// A gAMA within 5 % of 1/2.2 means sRGB's curve, as libpng treats it: most writers put
// 1/2.2 there for "sRGB", and a pure 2.2 power curve would darken their shadows. Returns
// an empty vector when the result is sRGB, and also for chunks lcms2 cannot build a
// profile from (values libpng did not already refuse, e.g. collinear primaries), which
// are ignored as browsers ignore them.
std::vector<uint8_t> png_chunks_profile(const PngChromaticity* chroma, double file_gamma);

}  // namespace toonbox::image
