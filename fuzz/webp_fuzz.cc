// libwebp behind toonbox's reader: RIFF chunks, VP8/VP8L/VP8X, animation refusal.
#include "image/webp_codec.h"
#include "image_decode_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return toonbox::fuzz::fuzz_decoder(data, size, toonbox::image::probe_webp,
                                     toonbox::fuzz::decode_to_srgb<toonbox::image::decode_webp>);
}
