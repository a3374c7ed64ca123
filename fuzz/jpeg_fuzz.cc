// libjpeg-turbo behind toonbox's error manager: corrupt and truncated data, scan limits.
#include "image/jpeg_codec.h"
#include "image_decode_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return toonbox::fuzz::fuzz_decoder(data, size, toonbox::image::probe_jpeg,
                                     toonbox::fuzz::decode_to_srgb<toonbox::image::decode_jpeg>);
}
