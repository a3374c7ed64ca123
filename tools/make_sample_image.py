#!/usr/bin/env python3
"""Writes a synthetic 384x320 RGB PNG (a face-like figure on a gradient) with the
standard library only, so the main job has an input on a machine without test photos."""
import math, struct, sys, zlib

def png(path, w, h, pixel):
    rows = b"".join(b"\x00" + bytes(c for x in range(w) for c in pixel(x, y)) for y in range(h))
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))

def pixel(x, y, w=384, h=320):
    bg = (int(90 + 100 * y / h), int(140 + 60 * x / w), 200)
    dx, dy = (x - w / 2) / 95, (y - h / 2) / 120
    if dx * dx + dy * dy < 1:                       # face
        for ex in (-0.4, 0.4):                      # eyes
            if (dx - ex) ** 2 + (dy + 0.25) ** 2 < 0.02:
                return (40, 30, 30)
        if abs(dy - 0.45) < 0.05 and abs(dx) < 0.35:  # mouth
            return (170, 60, 60)
        shade = 0.85 + 0.15 * math.cos(dx * 2)
        return (int(235 * shade), int(190 * shade), int(160 * shade))
    return bg

if __name__ == "__main__":
    png(sys.argv[1] if len(sys.argv) > 1 else "sample.png", 384, 320, pixel)
