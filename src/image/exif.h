// The one EXIF field we act on: orientation (tag 0x0112 in IFD0), read with libexif.
// EXIF blocks come from untrusted files; libexif bounds-checks every offset, caps a
// block at 64 KiB (the JPEG APP1 limit) and limits sub-IFD recursion (fuzz/exif_fuzz.cc
// runs it on random blocks).
#pragma once

#include <cstddef>
#include <cstdint>

namespace toonbox::image {

// From a TIFF structure ("II*\0" or "MM\0*" header, as in a PNG eXIf or WebP EXIF chunk).
// Returns 1..8; 1 when the tag is absent or anything is malformed, because a broken EXIF
// block must not make otherwise valid pixels undecodable. IFD0 must start within the
// first 64 KiB (libexif's limit; writers put it at offset 8).
int exif_orientation_from_tiff(const uint8_t* tiff, size_t size);

// From a JPEG APP1 payload (after the length field): "Exif\0\0" then TIFF. Other APP1
// payloads (XMP) give 1. WebP EXIF chunks sometimes carry the same prefix, so this also
// accepts a bare TIFF structure.
int exif_orientation_from_app1(const uint8_t* payload, size_t size);

}  // namespace toonbox::image
