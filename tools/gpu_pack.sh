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
# The shared pack looks a library up by its resolved path, which on Debian 12's merged /usr
# misses files dpkg registered under /lib (libbz2, pulled in by libzip): a copy that also
# tries the path as the loader printed it.
sed 's|pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null \| head -1 \| cut -d: -f1) \|\| true|pkg=$( (dpkg -S "$(realpath "$path")" 2>/dev/null \|\| dpkg -S "$path" 2>/dev/null) \| head -1 \| cut -d: -f1) \|\| true|' \
  "$sh/device/pack" >/tmp/toonbox-pack && chmod +x /tmp/toonbox-pack
/tmp/toonbox-pack .device/bundle $b/src/cli/toonbox $b/tests/toonbox_tests \
  $b/tests/models/toonbox_model_tests $b/src/backend/cuda/libtoonbox_cuda.so
cp -r "$sh/models/whitebox-cartoon" "$sh/models/animeganv3-tiny-cute" "$sh/models/retinaface-mnet025" \
  "$sh/models/realesr-animevideov3-ncnn" "$sh/models/realcugan-se-ncnn" "$sh/models/style-transfer-ncnn" .device/shared/models/
mkdir -p .device/shared/models/yunet && cp "$sh/models/yunet/yunet_n_dynamic.onnx" .device/shared/models/yunet/
# The photos the tests and timings use (the carry limit is 64 MiB with the tree).
for f in dctnet_input.png wb_actress2.jpg wb_party5.jpg wb_party7.jpg wb_london1.jpg wb_mountain4.jpg \
         wb_liuyifei4.jpg wb_readme_person2.jpg gfpgan_Blake_Lively.jpg gfpgan_Adele_crop.png \
         gpen_Solvay_conference_1927.png; do
  cp "$sh/images/$f" .device/shared/images/
done
rm -f .device/shared/models/style-transfer-ncnn/mosaic.bin   # one style model checks the family
# The small UpscalerJS packages and TF.js's outputs for them (the GPU machine has no Node;
# the thick models would pass the carry limit): tests/oracles/fetch_upscalerjs.sh fetches,
# a CPU run of UpscalerJsVsTfjs fills the cache.
if [ -d tests/oracles/upscalerjs ]; then
  mkdir -p .device/upscalerjs .device/upscalerjs_cache
  cp -r tests/oracles/upscalerjs/esrgan-slim .device/upscalerjs/
  cache=${TOONBOX_UPSCALERJS_ORACLE_CACHE:-${TMPDIR:-/tmp}/toonbox_upscalerjs_oracle}
  cp "$cache"/esrgan_slim_* .device/upscalerjs_cache/ 2>/dev/null || true
  rm -rf .device/upscalerjs/esrgan-slim/package/models/x8 .device/upscalerjs_cache/esrgan_slim_x8_*   # x2-x4 check the family
fi
# The clang fuzz build for the spare CPU cores (gpu_check.sh soakstart), e.g.
# TOONBOX_PACK_FUZZ="jpeg png": its binaries with their own libraries, and the seeds.
if [ -n "${TOONBOX_PACK_FUZZ:-}" ]; then
  fz=()
  for h in $TOONBOX_PACK_FUZZ; do
    fz+=(build-fuzz/fuzz/${h}_fuzz)
    mkdir -p .device/fuzz/corpus && cp -r build/fuzz/corpus/$h .device/fuzz/corpus/
  done
  /tmp/toonbox-pack .device/fuzz/bundle "${fz[@]}"
  # gpu_check.sh sources the main bundle's env.sh first: its libraries need not travel twice.
  for d in .device/bundle/debs/*.deb; do rm -f ".device/fuzz/bundle/debs/$(basename "$d")"; done
fi
cp tests/oracles/*.py tests/oracles/tfjs_layers_run.mjs .device/oracles/   # ONNX Runtime, the PyTorch oracles and reference nets; the TF.js script keys the UpscalerJS cache
du -sh .device
