#include "image/exif.h"

#include <libexif/exif-data.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace toonbox::image {
namespace {

constexpr uint8_t kExifHeader[6] = {'E', 'x', 'i', 'f', 0, 0};
// libexif reads at most this many bytes of a block (header included), as a JPEG APP1
// segment can hold no more; copying more of a large PNG eXIf chunk would be wasted.
constexpr size_t kLibexifMaxBlock = 0xfffe;

bool has_exif_header(const uint8_t* data, size_t size) {
  return data != nullptr && size >= sizeof(kExifHeader) &&
         std::memcmp(data, kExifHeader, sizeof(kExifHeader)) == 0;
}

struct ExifDataGuard {
  ExifData* data;
  ~ExifDataGuard() {
    if (data != nullptr) exif_data_unref(data);
  }
};

// block: "Exif\0\0" + TIFF, as libexif loads it.
int orientation_from_block(const uint8_t* block, size_t size) {
  ExifDataGuard guard{exif_data_new()};
  if (guard.data == nullptr) return 1;
  // The stored values, not libexif's "fixed" ones: following the specification would
  // rewrite (or drop) an orientation some writers store as a LONG, which we accept.
  exif_data_unset_option(guard.data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_load_data(guard.data, block,
                      static_cast<unsigned int>(std::min(size, kLibexifMaxBlock)));
  ExifEntry* entry = exif_content_get_entry(guard.data->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
  if (entry == nullptr || entry->data == nullptr || entry->components < 1) return 1;
  const ExifByteOrder order = exif_data_get_byte_order(guard.data);
  uint32_t value = 0;
  if (entry->format == EXIF_FORMAT_SHORT && entry->size >= 2) {
    value = exif_get_short(entry->data, order);
  } else if (entry->format == EXIF_FORMAT_LONG && entry->size >= 4) {  // not per spec, but seen
    value = exif_get_long(entry->data, order);
  } else {
    return 1;
  }
  return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
}

}  // namespace

int exif_orientation_from_tiff(const uint8_t* tiff, size_t size) {
  if (tiff == nullptr || size < 8) return 1;
  // libexif only loads blocks that start with the APP1 header.
  std::vector<uint8_t> block(kExifHeader, kExifHeader + sizeof(kExifHeader));
  block.insert(block.end(), tiff, tiff + std::min(size, kLibexifMaxBlock - sizeof(kExifHeader)));
  return orientation_from_block(block.data(), block.size());
}

int exif_orientation_from_app1(const uint8_t* payload, size_t size) {
  if (has_exif_header(payload, size)) return orientation_from_block(payload, size);
  return exif_orientation_from_tiff(payload, size);
}

}  // namespace toonbox::image
