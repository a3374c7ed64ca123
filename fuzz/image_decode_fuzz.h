// The body of the three decoder harnesses: probe, then decode with a pixel limit that
// keeps one input's memory small; a decoded image must have exactly its pixels' bytes and
// match what the probe said, a failure must be a Status with a message.
#pragma once

#include <vector>

#include "fuzz_util.h"
#include "image/icc_profile.h"
#include "image/image.h"

namespace toonbox::fuzz {

using Decoder = Result<image::Image> (*)(const uint8_t*, size_t, int64_t);
using Prober = Result<image::ImageInfo> (*)(const uint8_t*, size_t);
using ProfileDecoder = Result<image::Image> (*)(const uint8_t*, size_t, int64_t, std::vector<uint8_t>*);

// A decoder that also returns the embedded colour profile, followed by the conversion
// to sRGB decode_image does: the profile bytes are as untrusted as the pixels.
template <ProfileDecoder decode>
Result<image::Image> decode_to_srgb(const uint8_t* data, size_t size, int64_t max_pixels) {
  std::vector<uint8_t> profile;
  TB_ASSIGN_OR_RETURN(image::Image img, decode(data, size, max_pixels, &profile));
  TB_RETURN_IF_ERROR(image::convert_to_srgb(&img, profile.data(), profile.size()));
  return img;
}

inline int fuzz_decoder(const uint8_t* data, size_t size, Prober probe, Decoder decode) {
  constexpr int64_t kMaxPixels = 4'000'000;
  Result<image::ImageInfo> info = probe(data, size);
  Result<image::Image> img = decode(data, size, kMaxPixels);
  if (!img.is_ok()) {
    TOONBOX_FUZZ_CHECK(!img.status().message().empty());
    return 0;
  }
  TOONBOX_FUZZ_CHECK(img->width > 0 && img->height > 0);
  const size_t pixels = static_cast<size_t>(img->width) * static_cast<size_t>(img->height);
  TOONBOX_FUZZ_CHECK(static_cast<int64_t>(pixels) <= kMaxPixels);
  TOONBOX_FUZZ_CHECK(img->rgb.size() == pixels * 3);
  TOONBOX_FUZZ_CHECK(img->alpha.empty() || img->alpha.size() == pixels);
  if (info.is_ok()) TOONBOX_FUZZ_CHECK(static_cast<size_t>(info->width) * static_cast<size_t>(info->height) == pixels);
  return 0;
}

}  // namespace toonbox::fuzz
