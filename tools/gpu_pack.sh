#!/usr/bin/env bash
# Bundles a CUDA build and the data gpu_check.sh needs into .device/ (git-ignored), for
# the device tool's `carry: [".device"]`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .git/info; grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >>.git/info/exclude
rm -rf .device && mkdir -p .device/shared/models .device/shared/images
b=${TOONBOX_BUILD_DIR:-build}
../shared/device/pack .device/bundle $b/src/cli/toonbox $b/tests/toonbox_tests \
  $b/tests/models/toonbox_model_tests $b/src/backend/cuda/libtoonbox_cuda.so
cp -r ../shared/models/whitebox-cartoon ../shared/models/animeganv3-tiny-cute ../shared/models/yunet ../shared/models/retinaface-mnet025 .device/shared/models/
for f in wb_actress2.jpg wb_party5.jpg gfpgan_Blake_Lively.jpg wb_london1.jpg dctnet_input.png gpen_Solvay_conference_1927.png gfpgan_Julia_Roberts_crop.png; do
  cp ../shared/images/$f .device/shared/images/
done
du -sh .device
