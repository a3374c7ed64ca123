#!/usr/bin/env bash
# Bundles a CUDA build and the data gpu_check.sh needs into .device/ (git-ignored), for
# the device tool's `carry: [".device"]`.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >>.git/info/exclude
rm -rf .device && mkdir -p .device/shared/models .device/shared/images
../shared/device/pack .device/bundle build/src/cli/toonbox build/tests/toonbox_tests \
  build/tests/models/toonbox_model_tests build/src/backend/cuda/libtoonbox_cuda.so
cp -r ../shared/models/whitebox-cartoon .device/shared/models/
for f in wb_actress2.jpg wb_party5.jpg gfpgan_Blake_Lively.jpg wb_london1.jpg dctnet_input.png; do
  cp ../shared/images/$f .device/shared/images/
done
du -sh .device
