#!/usr/bin/env python3
"""Images and masks for inpaint_test.sh, written with the standard library only.

photo.png 200x150 RGB gradient; photo_alpha.png the same with a transparent 20x20 square;
mask.png (a white 30x20 box and a 1-px line), mask_small.png (the box at half size),
mask_empty.png, mask_full.png; notimage.png (text); folder in/ (a.png, b.png, c.png) and
masks/ (a.png, b.png, no c)."""
import os
import struct
import zlib


def png(path, w, h, pixel, channels=3):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))
    colour = {3: 2, 4: 6}[channels]
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def photo(x, y):
    return (40 + x * 170 // 200, 60 + y * 120 // 150, 70 if x + y < 175 else 190)


def in_box(x, y):
    return (60 <= x < 90 and 40 <= y < 60) or (y == 100 and 20 <= x < 180)


png("photo.png", 200, 150, photo)
png("photo_alpha.png", 200, 150, lambda x, y: photo(x, y) + ((0,) if 100 <= x < 120 and 20 <= y < 40 else (255,)), 4)
png("mask.png", 200, 150, lambda x, y: (255,) * 3 if in_box(x, y) else (0,) * 3)
png("mask_small.png", 100, 75, lambda x, y: (255,) * 3 if 30 <= x < 45 and 20 <= y < 30 else (0,) * 3)
png("mask_empty.png", 200, 150, lambda x, y: (0, 0, 0))
png("mask_full.png", 200, 150, lambda x, y: (255, 255, 255))
with open("notimage.png", "w") as f:
    f.write("not a picture\n")
os.makedirs("in", exist_ok=True)
os.makedirs("masks", exist_ok=True)
for name in "abc":
    png(f"in/{name}.png", 200, 150, photo)
for name in "ab":
    png(f"masks/{name}.png", 200, 150, lambda x, y: (255,) * 3 if in_box(x, y) else (0,) * 3)
