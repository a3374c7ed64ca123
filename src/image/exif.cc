#include "image/exif.h"

#include <cstring>

namespace toonbox::image {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;
constexpr uint16_t kTypeLong = 4;
constexpr size_t kIfdEntryBytes = 12;

uint16_t read_u16(const uint8_t* p, bool big_endian) {
  return big_endian ? static_cast<uint16_t>(p[0] << 8 | p[1])
                    : static_cast<uint16_t>(p[1] << 8 | p[0]);
}

uint32_t read_u32(const uint8_t* p, bool big_endian) {
  return big_endian ? (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3])
                    : (uint32_t{p[3]} << 24 | uint32_t{p[2]} << 16 | uint32_t{p[1]} << 8 | p[0]);
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes, without
// computing offset + length (which could wrap).
bool in_bounds(size_t offset, size_t length, size_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace

int exif_orientation_from_tiff(const uint8_t* tiff, size_t size) {
  if (tiff == nullptr || size < 8) return 1;
  bool big_endian;
  if (tiff[0] == 'I' && tiff[1] == 'I') {
    big_endian = false;
  } else if (tiff[0] == 'M' && tiff[1] == 'M') {
    big_endian = true;
  } else {
    return 1;
  }
  if (read_u16(tiff + 2, big_endian) != 42) return 1;
  const size_t ifd = read_u32(tiff + 4, big_endian);
  if (!in_bounds(ifd, 2, size)) return 1;
  const size_t count = read_u16(tiff + ifd, big_endian);
  for (size_t i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + i * kIfdEntryBytes;
    if (!in_bounds(entry, kIfdEntryBytes, size)) return 1;
    const uint8_t* e = tiff + entry;
    if (read_u16(e, big_endian) != kOrientationTag) continue;
    const uint16_t type = read_u16(e + 2, big_endian);
    if (read_u32(e + 4, big_endian) < 1) return 1;
    // Values of up to 4 bytes sit left-aligned in the entry's value field.
    uint32_t value;
    if (type == kTypeShort) {
      value = read_u16(e + 8, big_endian);
    } else if (type == kTypeLong) {  // not per spec, but some writers use it
      value = read_u32(e + 8, big_endian);
    } else {
      return 1;
    }
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

int exif_orientation_from_app1(const uint8_t* payload, size_t size) {
  static constexpr uint8_t kExifHeader[6] = {'E', 'x', 'i', 'f', 0, 0};
  if (payload != nullptr && size >= sizeof(kExifHeader) &&
      std::memcmp(payload, kExifHeader, sizeof(kExifHeader)) == 0) {
    return exif_orientation_from_tiff(payload + sizeof(kExifHeader), size - sizeof(kExifHeader));
  }
  return exif_orientation_from_tiff(payload, size);
}

}  // namespace toonbox::image
