// The hand-written EXIF orientation parser, on APP1 payloads and bare TIFF structures.
#include "fuzz_util.h"
#include "image/exif.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int a = toonbox::image::exif_orientation_from_app1(data, size);
  const int t = toonbox::image::exif_orientation_from_tiff(data, size);
  TOONBOX_FUZZ_CHECK(a >= 1 && a <= 8);
  TOONBOX_FUZZ_CHECK(t >= 1 && t <= 8);
  return 0;
}
