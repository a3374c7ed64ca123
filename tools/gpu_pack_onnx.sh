#!/usr/bin/env bash
# Packs a CUDA build, the ONNX models/photos and the Python ORT oracle into DEST/.device
# (default: this checkout) for the device tool's `carry: [".device"]`, with
# tools/gpu_check_onnx.sh beside them. TOONBOX_BUILD_DIR picks the build (build-cuda).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
dest=${1:-$PWD}
b=$src/${TOONBOX_BUILD_DIR:-build-cuda}
mkdir -p "$dest/.git/info" 2>/dev/null || true
grep -qx '/.device/' "$dest/.git/info/exclude" 2>/dev/null || echo '/.device/' >>"$dest/.git/info/exclude" || true
rm -rf "$dest/.device" && mkdir -p "$dest/.device/shared/models" "$dest/.device/shared/images" "$dest/.device/oracles" "$dest/.device/tools"
/work/shared/device/pack "$dest/.device/bundle" $b/src/cli/toonbox $b/tests/toonbox_tests \
  $b/tests/models/toonbox_model_tests $b/src/backend/cuda/libtoonbox_cuda.so
sh=/work/shared
cp -r $sh/models/animeganv3-tiny-cute $sh/models/retinaface-mnet025 "$dest/.device/shared/models/"
mkdir -p "$dest/.device/shared/models/yunet" && cp $sh/models/yunet/yunet_n_dynamic.onnx "$dest/.device/shared/models/yunet/"
cp -r $sh/models/whitebox-cartoon "$dest/.device/shared/models/"
for f in wb_actress2.jpg wb_liuyifei4.jpg wb_party5.jpg wb_party7.jpg gfpgan_Blake_Lively.jpg wb_london1.jpg; do
  cp $sh/images/$f "$dest/.device/shared/images/"
done
cp tests/oracles/ort_run.py "$dest/.device/oracles/"
cp tools/gpu_check_onnx.sh "$dest/.device/tools/"
du -sh "$dest/.device"
