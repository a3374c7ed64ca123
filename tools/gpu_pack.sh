#!/usr/bin/env bash
# Bundles a CUDA build, the models and photos the checks need, and the Python ONNX
# Runtime oracle into .device/ (git-ignored), for the device tool's `carry: [".device"]`.
# usage: TOONBOX_BUILD_DIR=build-cuda tools/gpu_pack.sh     then: bash tools/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .git/info; grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >>.git/info/exclude
rm -rf .device && mkdir -p .device/shared/models .device/shared/images .device/oracles
b=${TOONBOX_BUILD_DIR:-build-cuda}
sh=$(cd .. && pwd)/shared
"$sh/device/pack" .device/bundle $b/src/cli/toonbox $b/tests/toonbox_tests \
  $b/tests/models/toonbox_model_tests $b/src/backend/cuda/libtoonbox_cuda.so
cp -r "$sh/models/whitebox-cartoon" "$sh/models/animeganv3-tiny-cute" "$sh/models/retinaface-mnet025" \
  "$sh/models/realesr-animevideov3-ncnn" "$sh/models/realcugan-se-ncnn" "$sh/models/style-transfer-ncnn" .device/shared/models/
mkdir -p .device/shared/models/yunet && cp "$sh/models/yunet/yunet_n_dynamic.onnx" .device/shared/models/yunet/
cp "$sh"/images/* .device/shared/images/   # all photos (~6 MB): the folder benchmark cycles them
cp tests/oracles/*.py .device/oracles/   # ONNX Runtime; the PyTorch oracles and reference nets
du -sh .device
