#!/usr/bin/env bash
# tools/bench_pytorch.py builds White-box in PyTorch from the TF.js weights: its fp32
# output must match `toonbox cartoonize --device cpu` on real photos (>= 40 dB; one is
# padded to a multiple of 8), or its timings are of another network. Skips (77), saying
# why, without ../shared or a Python with torch, numpy and PIL.
# usage: bench_pytorch_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
shared=${TOONBOX_SHARED_DIR:-$here/../../../shared}
weights=$shared/models/whitebox-cartoon/tfjs-float16
[ -f "$weights/model.json" ] || { echo "skip: $weights not found"; exit 77; }
python=""
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import torch, numpy, PIL' >/dev/null 2>&1; then python=$p; break; fi
done
[ -n "$python" ] || { echo "skip: no python3 with torch, numpy and PIL (Debian: python3-torch python3-pil)"; exit 77; }
. "$here/lib.sh"
for photo in gfpgan_Adele_crop.png iopaint_icc_profile_test.png; do
  expect 0 "PyTorch White-box matches toonbox on $photo" "$python" "$here/../../tools/bench_pytorch.py" \
    --weights "$weights" --check-photo "$shared/images/$photo" --toonbox "$toonbox" --sizes 64 --runs 1 \
    --variants eager-fp32
  contains "agreement printed for $photo" "agreement: PyTorch fp32 (CPU) vs toonbox --device cpu on $photo"
  grep agreement log
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
