#include "image/png_colour_chunks.h"

#include <lcms2.h>

#include <cmath>

namespace toonbox::image {
namespace {

constexpr PngChromaticity kSrgbChromaticity = {0.3127, 0.3290, 0.64, 0.33, 0.30, 0.60, 0.15, 0.06};

bool near_srgb_gamma(double file_gamma) { return std::fabs(file_gamma * 2.2 - 1) < 0.05; }

bool same_chromaticity(const PngChromaticity& a, const PngChromaticity& b) {
  constexpr double kTolerance = 5e-4;  // cHRM stores 1e-5 steps; writers round sRGB's differently
  const double av[] = {a.white_x, a.white_y, a.red_x,  a.red_y,
                       a.green_x, a.green_y, a.blue_x, a.blue_y};
  const double bv[] = {b.white_x, b.white_y, b.red_x,  b.red_y,
                       b.green_x, b.green_y, b.blue_x, b.blue_y};
  for (int i = 0; i < 8; ++i) {
    if (std::fabs(av[i] - bv[i]) > kTolerance) return false;
  }
  return true;
}

struct ContextGuard {
  cmsContext context;
  ~ContextGuard() { cmsDeleteContext(context); }
};

}  // namespace

std::vector<uint8_t> png_chunks_profile(const PngChromaticity* chroma, double file_gamma) {
  // Decoding exponents outside [0.1, 10] are not photographs; they are ignored.
  const bool use_gamma = file_gamma > 0 && !near_srgb_gamma(file_gamma) && 1 / file_gamma >= 0.1 &&
                         1 / file_gamma <= 10;
  const PngChromaticity c = chroma != nullptr ? *chroma : kSrgbChromaticity;
  if (!use_gamma && same_chromaticity(c, kSrgbChromaticity)) return {};

  // A context of our own: lcms2's messages go nowhere instead of to a global handler.
  ContextGuard guard{cmsCreateContext(nullptr, nullptr)};
  if (guard.context == nullptr) return {};
  cmsToneCurve* curve = nullptr;
  if (use_gamma) {
    curve = cmsBuildGamma(guard.context, 1 / file_gamma);
  } else {
    // IEC 61966-2-1 as lcms2's parametric type 4: Y = (aX + b)^g for X >= d, else cX.
    const cmsFloat64Number srgb[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
    curve = cmsBuildParametricToneCurve(guard.context, 4, srgb);
  }
  if (curve == nullptr) return {};
  cmsToneCurve* curves[3] = {curve, curve, curve};
  const cmsCIExyY white = {c.white_x, c.white_y, 1.0};
  const cmsCIExyYTRIPLE primaries = {
      {c.red_x, c.red_y, 1.0}, {c.green_x, c.green_y, 1.0}, {c.blue_x, c.blue_y, 1.0}};
  cmsHPROFILE profile = cmsCreateRGBProfileTHR(guard.context, &white, &primaries, curves);
  cmsFreeToneCurve(curve);
  if (profile == nullptr) return {};
  std::vector<uint8_t> bytes;
  cmsUInt32Number size = 0;
  if (cmsSaveProfileToMem(profile, nullptr, &size) && size > 0) {
    bytes.resize(size);
    if (!cmsSaveProfileToMem(profile, bytes.data(), &size)) bytes.clear();
  }
  cmsCloseProfile(profile);
  return bytes;
}

}  // namespace toonbox::image
