#!/usr/bin/env bash
# The speed work's one device call (issues 13 and 14): CUDA tests, White-box before/after
# on the same binary (before = TOONBOX_CUDA_CONV_API=legacy TOONBOX_CUDA_GRAPHS=0, the
# paths main runs), TF32, batch 16, the folder pipeline, PyTorch side by side.
# Prepare here:  tools/gpu_speed_pack.sh DEST   (a git-ignored folder of the checkout the
# device tool sends), then on the device:  bash DEST/gpu_speed.sh [full|probe]
# (probe: toonbox's own before/after only, no tests, folder pipeline or PyTorch).
# Logs and JSON under $OUT; a summary printed last.
set -uo pipefail
D=$(cd "$(dirname "$0")" && pwd)
mode=${1:-full}
export OUT=${OUT:-/tmp/toonbox-speed-out}
mkdir -p "$OUT"
source "$D/bundle/env.sh"
B=$D/bundle/bin
export TOONBOX_SHARED_DIR=$D/shared TOONBOX_MODELS=/tmp/toonbox-models
I=$D/shared/images
S=$OUT/summary.txt
: >"$S"
note() { echo "$*" | tee -a "$S"; }
t0=$(date +%s)
stamp() { note "[t+$(($(date +%s) - t0))s] $*"; }

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv,noheader | tee -a "$S"
"$B/toonbox" models import "$D/shared/models/whitebox-cartoon/tfjs-float16" --force >/dev/null 2>&1

# 1. the CUDA unit tests (the new ones: CudaGraphApiConv*, CudaGraphCapture*, CudaConvAlgoDiskCache*).
T=$B/toonbox_tests
[ -x "$T" ] || T=$B/cuda_mini_tests  # a link of only the CUDA test files, when toonbox_tests is not built
[ "$mode" = full ] && [ -x "$T" ] && timeout "${UNIT_LIMIT:-150}" "$T" --gtest_filter='*Cuda*' >"$OUT/unit.txt" 2>&1
[ "$mode" = full ] && stamp "unit tests exit $?: $(grep -E '^\[  (PASSED|FAILED)  \]' "$OUT/unit.txt" | tr '\n' ' ')"
grep -E '^\[  FAILED  \]' "$OUT/unit.txt" | head -30 | tee -a "$S"
grep -E 'CudaGraphApiConv.*note|graph API [0-9]' "$OUT/unit.txt" | head -20 | tee -a "$S"

# 2. White-box, one binary, before (legacy paths) and after.
bench() {  # NAME LIMIT ENV... -- ARGS...
  local name=$1 limit=$2; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" timeout "$limit" "$B/toonbox" bench --model whitebox --device cuda:0 --no-pipeline \
    --image "$I/dctnet_input.png" --json "$OUT/$name.json" --markdown "$OUT/$name.md" "$@" >/dev/null 2>"$OUT/$name.log"
  stamp "bench $name: exit $?"
  grep -E '^\| whitebox' "$OUT/$name.md" | tee -a "$S"
}
# before: main's paths and no algorithm cache on disk; after: a fresh cache folder, so the
# row's compile is a cold search and its cold-start children read what the row wrote.
legacy=(TOONBOX_CUDA_CONV_API=legacy TOONBOX_CUDA_GRAPHS=0 TOONBOX_CUDA_ALGO_CACHE=off)
fresh() { local d; d=$(mktemp -d /tmp/algos-XXXXXX); echo "TOONBOX_CUDA_ALGO_CACHE=$d"; }
[ "${SKIP_BEFORE:-0}" = 1 ] || bench before 110 "${legacy[@]}" -- --sizes 512,1024,2048 --batch 1 --precision fp32,fp16 --runs 20 --max-seconds 2 --no-cold-start
bench after 110 "$(fresh)" -- --sizes 512,1024,2048 --batch 1 --precision fp32,fp16 --runs 20 --max-seconds 2
[ "${SKIP_BEFORE:-0}" = 1 ] || bench tf32 60 TOONBOX_CUDA_TF32=1 "$(fresh)" -- --sizes 512,1024,2048 --batch 1 --precision fp32 --runs 20 --max-seconds 2 --no-cold-start
[ "${SKIP_BEFORE:-0}" = 1 ] || bench before_b16 40 "${legacy[@]}" -- --sizes 1024 --batch 16 --precision fp16 --runs 10 --max-seconds 2 --no-cold-start
bench after_b16 40 "$(fresh)" -- --sizes 1024 --batch 16 --precision fp16 --runs 10 --max-seconds 2 --no-cold-start
# The per-conv choices of one 1024^2 fp16 compile (graph engine, fused, pad kernel).
TOONBOX_CUDA_LOG_STEPS=1 timeout 30 "$B/toonbox" cartoonize "$I/dctnet_input.png" -o "$OUT/one.png" --model whitebox \
  --device cuda --precision fp16 --mode whole --resolution full --tile -1 --timings >"$OUT/one.txt" 2>&1
stamp "cartoonize --timings exit $?"

# 3. The folder pipeline (issue 14), after only: JPEG -> JPEG and -> PNG, 1024^2.
if [ "$mode" = full ]; then
  for fmt in jpg png; do
    timeout 45 "$B/toonbox" bench --model whitebox --sizes 1024 --batch ${PIPELINE_BATCH:-1,16} --precision fp16 --device cuda:0 \
      --runs 5 --no-cold-start --pipeline-images 256 --pipeline-format $fmt --image "$I/dctnet_input.png" \
      --json "$OUT/pipeline_$fmt.json" --markdown "$OUT/pipeline_$fmt.md" >/dev/null 2>>"$OUT/pipeline.log"
    stamp "pipeline $fmt: exit $?"
    grep -A4 '^## Pipeline mode' "$OUT/pipeline_$fmt.md" | grep -E '^\| whitebox' | tee -a "$S"
  done
fi

# 4. PyTorch side by side at the same sizes (ratios against the after run).
variants=${TORCH_VARIANTS:-eager-fp32,half-cl,compile}
[ "$mode" = probe ] && variants=${TORCH_VARIANTS:-eager-fp32,half-cl}
for j in ${TORCH_JOBS:-after after_b16}; do
  PYTHONUNBUFFERED=1 timeout "${TORCH_LIMIT:-80}" python3 "$D/bench_pytorch.py" \
    --weights "$D/shared/models/whitebox-cartoon/tfjs-float16" --toonbox-json "$OUT/$j.json" \
    --variants "$variants" --compile-sizes 1024 --json "$OUT/pytorch_$j.json" >"$OUT/pytorch_$j.txt" 2>&1
  stamp "pytorch vs $j: exit $?"
  grep -vE '^\s*$' "$OUT/pytorch_$j.txt" | tail -12 | tee -a "$S"
done
echo "----- summary -----"
cat "$S"
# The device tool returns at most 8 files: everything in one archive, the summary beside it.
tar czf /tmp/speed-all.tgz -C "$OUT" --exclude=summary.txt . && find "$OUT" -type f ! -name summary.txt -delete &&
  mv /tmp/speed-all.tgz "$OUT/all.tgz"
