// Embedded ICC profiles, honoured through lcms2: decoded pixels are converted from the
// file's profile to sRGB before anything else sees them, so models (trained on sRGB
// photos) and outputs (sRGB, no profile embedded) get the colours a colour-managed viewer
// shows. Internal to src/image; decode_image calls it for every format.
//
// Profiles come from untrusted files: they are size-limited before lcms2 parses them,
// and lcms2's own refusals (a truncated or inconsistent profile) become a clear error
// (kDataLoss, "corrupt_image" in the API) rather than silently wrong colours.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/status.h"
#include "image/image.h"

namespace toonbox::image {

class LcmsSession;  // icc_profile.cc: an lcms2 context, its profiles and transform

// Real profiles are a few hundred bytes (matrix/shaper) to ~2 MiB (printer CMYK tables);
// JPEG APP2 chunks could carry up to ~16 MiB.
constexpr size_t kMaxIccProfileBytes = size_t{4} << 20;

// Refuses a profile over kMaxIccProfileBytes with a message naming its size.
Status check_icc_profile_size(size_t size);

// True for a matrix/shaper RGB profile whose colorants and tone curves match sRGB's
// within a quarter of an 8-bit level: converting through it would change no pixel, so
// the (common) sRGB case costs one profile parse, not a transform.
bool is_srgb_profile(const uint8_t* profile, size_t size);

// Converts img->rgb from the embedded profile to sRGB in place; alpha is untouched.
// An RGB profile converts the pixels as RGB (grey images decoded to R=G=B included); a
// grey profile converts grey pixels (R=G=B everywhere) through its tone curve. A profile
// for another colour space than the pixels (CMYK or Lab on an RGB image, a grey profile
// on colour pixels) is ignored, as browsers do. An sRGB profile is a no-op. A profile
// lcms2 rejects is kDataLoss ("invalid embedded ICC profile: ...").
Status convert_to_srgb(Image* img, const uint8_t* profile, size_t size);

// For CMYK JPEGs: converts rows of 8-bit CMYK (inverted: Adobe's 255 = no ink) to sRGB
// through a CMYK profile. Created only for a profile whose colour space is CMYK.
class CmykToSrgb {
 public:
  // nullptr value (no error) when the profile is not a CMYK profile.
  static Result<std::unique_ptr<CmykToSrgb>> create(const uint8_t* profile, size_t size,
                                                    bool inverted);
  ~CmykToSrgb();
  CmykToSrgb(const CmykToSrgb&) = delete;
  CmykToSrgb& operator=(const CmykToSrgb&) = delete;
  void convert_row(const uint8_t* cmyk, uint8_t* rgb, size_t width) const;

 private:
  explicit CmykToSrgb(std::unique_ptr<LcmsSession> lcms);
  std::unique_ptr<LcmsSession> lcms_;
};

}  // namespace toonbox::image
