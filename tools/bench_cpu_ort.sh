#!/usr/bin/env bash
# Issue 13's CPU comparison: toonbox against ONNX Runtime on the same network, same
# machine, same threads, one after the other in one run. Not CI (timings).
#
#   tools/bench_cpu_ort.sh [SIZE] [THREADS]      (default 512, the machine's cores)
#
# Rows: AnimeGANv3 tiny-Cute (the authors' ONNX file, run by both) and White-box (toonbox
# runs the TF.js weights; ONNX Runtime an ONNX export of tools/bench_pytorch.py's PyTorch
# build of the same weights, made by tools/export_whitebox_onnx.py under /tmp). toonbox's
# figure is `toonbox bench`'s device time (warm_ms.compute: the network alone, as ORT's
# session.run is); ORT's is tools/ort_time.mjs (graph optimizations 'all', THREADS
# intra-op threads). Needs ../shared (or $TOONBOX_SHARED_DIR), a build (build/ or
# $TOONBOX_BUILD_DIR), Node with tests/oracles' onnxruntime-node, and python3-torch.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-512}
threads=${2:-$(nproc)}
T=${TOONBOX_BUILD_DIR:-build}/src/cli/toonbox
S=${TOONBOX_SHARED_DIR:-../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TOONBOX_MODELS=$work/models OMP_NUM_THREADS=$threads
"$T" models import "$S/models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx" >/dev/null
"$T" models import "$S/models/whitebox-cartoon/tfjs-float16" >/dev/null
/usr/bin/python3 tools/export_whitebox_onnx.py --weights "$S/models/whitebox-cartoon/tfjs-float16" --size "$size" \
  --out "$work/whitebox.onnx" >/dev/null 2>&1
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $threads threads, ${size}², batch 1"
echo "| model | toonbox (ms) | ONNX Runtime (ms) | toonbox / ORT |"
echo "|---|---|---|---|"
row() {  # model, ORT file, ORT input shape
  "$T" bench --model "$1" --device cpu --sizes "$size" --runs 10 --no-pipeline --no-cold-start \
    --json "$work/$1.json" >/dev/null 2>&1 || true
  local tb ort
  tb=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.1f' % r['warm_ms']['compute']['median'])" "$work/$1.json")
  ort=$(node tools/ort_time.mjs "$2" "$3" "$threads" 10 | python3 -c "import json,sys; print('%.1f' % json.load(sys.stdin)['median_ms'])")
  echo "| $1 | $tb | $ort | $(python3 -c "print('%.2f' % ($tb / $ort))") |"
}
row animeganv3-cute "$S/models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx" "1,$size,$size,3"
row whitebox "$work/whitebox.onnx" "1,3,$size,$size"
