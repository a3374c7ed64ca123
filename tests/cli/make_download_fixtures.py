#!/usr/bin/env python3
"""Fixtures for models_download_test.sh: small generated ncnn "models" (never real
weights) served from SERVE_ROOT, a folder for --from, and the test registry that
TOONBOX_TEST_KNOWN_MODELS points at (src/models/test_registry.h).
usage: make_download_fixtures.py SERVE_ROOT FROM_DIR REGISTRY_JSON PORT"""
import hashlib, json, os, struct, sys

serve, from_dir, registry_path, port = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

# One 31x31 convolution, 3 -> 3 channels: a param and a ~35 KB .bin (ncnn's tagged fp32
# weights, then the raw bias), big enough to break in the middle.
K, C = 31, 3
PARAM = ("7767517\n2 2\nInput in 0 1 data\n"
         f"Convolution conv 1 1 data out 0={C} 1={K} 4={K // 2} 5=1 6={C * C * K * K}\n").encode()


def weights(bias):
    n = C * C * K * K
    w = struct.pack("<I", 0) + struct.pack(f"<{n}f", *[((i * 37) % 101 - 50) / 5000.0 for i in range(n)])
    return w + struct.pack(f"<{C}f", *([bias] * C))


def sha(b):
    return hashlib.sha256(b).hexdigest()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(data)


online_bin, offline_bin = weights(0.25), weights(-0.5)
# The mirror layout: TOONBOX_MODELS_MIRROR + the upstream URL's host and path.
write(f"{serve}/models.example.invalid/tiny/tiny.param", PARAM)
write(f"{serve}/models.example.invalid/tiny/tiny.bin", online_bin)
write(f"{from_dir}/tiny.param", PARAM)
write(f"{from_dir}/tiny.bin", offline_bin)

up = "https://models.example.invalid/tiny"
files = lambda b, base=up, bin_sha=None, bin_size=None: [
    {"file": "tiny.param", "sha256": sha(PARAM), "url": f"{base}/tiny.param", "size": len(PARAM)},
    {"file": "tiny.bin", "sha256": bin_sha or sha(b), "url": f"{base}/tiny.bin", "size": bin_size or len(b)}]
models = [
    {"name": "tiny-toon", "format": "ncnn", "entry": "tiny.param", "description": "a generated 31x31 convolution",
     "licence": "CC BY-NC 4.0 (non-commercial)", "upstream": up, "files": files(online_bin)},
    {"name": "tiny-bad-digest", "format": "ncnn", "entry": "tiny.param", "description": "wrong digest for tiny.bin",
     "licence": "MIT", "files": files(online_bin, bin_sha=sha(b"something else"))},
    {"name": "tiny-missing", "format": "ncnn", "entry": "tiny.param", "description": "its files are not served",
     "licence": "MIT", "files": files(online_bin, base="https://models.example.invalid/nothing")},
    {"name": "tiny-wrong-size", "format": "ncnn", "entry": "tiny.param", "description": "registry size too small",
     "licence": "MIT", "files": files(online_bin, bin_size=1000)},
    {"name": "tiny-offline", "format": "ncnn", "entry": "tiny.param", "description": "no URL: --from only",
     "licence": "MIT", "no_download": "the test's upstream publishes no file",
     "files": [{"file": "tiny.param", "sha256": sha(PARAM)}, {"file": "tiny.bin", "sha256": sha(offline_bin)}]},
]
json.dump({"models": models}, open(registry_path, "w"), indent=1)
print(len(online_bin))
