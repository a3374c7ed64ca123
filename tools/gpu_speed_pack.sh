#!/usr/bin/env bash
# Bundles this build for tools/gpu_speed.sh into DEST (a folder the device tool carries):
# the binaries and the libraries the GPU machine lacks (../shared/device/pack), the
# White-box model, two photos, the scripts.   usage: tools/gpu_speed_pack.sh DEST
set -euo pipefail
cd "$(dirname "$0")/.."
dest=$(realpath -m "$1")
b=${TOONBOX_BUILD_DIR:-build}
sh=$(cd .. && pwd)/shared
rm -rf "$dest" && mkdir -p "$dest/shared/models" "$dest/shared/images"
bins=($b/src/cli/toonbox $b/src/backend/cuda/libtoonbox_cuda.so)
[ -x $b/tests/toonbox_tests ] && bins+=($b/tests/toonbox_tests)   # absent: the run skips the unit tests
bins+=(${EXTRA_BINS:-})  # e.g. a link of only the CUDA tests (gpu_speed.sh runs cuda_mini_tests)
"$sh/device/pack" "$dest/bundle" "${bins[@]}"
cp -r "$sh/models/whitebox-cartoon" "$dest/shared/models/"
cp "$sh/images/dctnet_input.png" "$sh/images/gfpgan_Adele_crop.png" "$dest/shared/images/"
cp tools/gpu_speed.sh tools/bench_pytorch.py "$dest/"
du -sh "$dest"
