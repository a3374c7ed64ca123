#!/usr/bin/env python3
"""Writes COUNT distinct PNG photos-to-be into DIR with the standard library only.

usage: make_folder_fixtures.py DIR COUNT [--sizes WxH,WxH,...] [--prefix P]
Image i gets size sizes[i % len(sizes)] (so same-size images exist for batching) and a
pattern seeded by i, so every output differs and a mix-up between files shows.
"""
import argparse, os, struct, zlib

def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

def png(path, w, h, seed):
    rows = []
    for y in range(h):
        row = bytearray(b"\x00")
        for x in range(w):
            row += bytes(((x * (3 + seed % 5) + seed * 17) % 256,
                          (y * (2 + seed % 7) + (x ^ y)) % 256,
                          ((x + y) * (seed % 3 + 1) + 40 * ((x // 16 + y // 16) % 2)) % 256))
        rows.append(bytes(row))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"".join(rows), 1)) + chunk(b"IEND", b""))

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("count", type=int)
ap.add_argument("--sizes", default="64x48,48x64,64x64")
ap.add_argument("--prefix", default="img")
a = ap.parse_args()
sizes = [tuple(int(v) for v in s.split("x")) for s in a.sizes.split(",")]
os.makedirs(a.dir, exist_ok=True)
for i in range(a.count):
    w, h = sizes[i % len(sizes)]
    png(os.path.join(a.dir, f"{a.prefix}{i:03d}.png"), w, h, i)
