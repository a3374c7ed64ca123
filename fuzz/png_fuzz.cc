// libpng behind toonbox's reader: chunk sizes, bit depths, interlacing, the pixel limit.
#include "image/png_codec.h"
#include "image_decode_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return toonbox::fuzz::fuzz_decoder(data, size, toonbox::image::probe_png,
                                     toonbox::fuzz::decode_to_srgb<toonbox::image::decode_png>);
}
