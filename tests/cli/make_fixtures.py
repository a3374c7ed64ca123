#!/usr/bin/env python3
"""Generates the CLI tests' input files with the standard library only."""
import os, struct, sys, zlib

def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

def png(path, w, h, channels, pixel):
    color_type = {3: 2, 4: 6}[channels]
    rows = b"".join(b"\x00" + bytes(c for x in range(w) for c in pixel(x, y)) for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
png(f"{out}/rgb.png", 61, 47, 3, lambda x, y: ((x * 4) % 256, (y * 5) % 256, (x * y) % 256))
png(f"{out}/rgba.png", 40, 33, 4, lambda x, y: (200, (x * 6) % 256, 90, (x * 7 + y) % 256))
# A valid PNG signature and IHDR claiming 100000 x 100000 pixels, then nothing.
with open(f"{out}/huge_header.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)))
open(f"{out}/empty.jpg", "wb").close()
with open(f"{out}/unknown.jpg", "wb") as f:
    f.write(b"this is not an image at all\n" * 4)
