#!/usr/bin/env bash
# The ONNX work on the GPU machine, in one device call: every ONNX op on CUDA fp32/fp16
# against ONNX Runtime (Python's onnxruntime there), the real models (AnimeGANv3,
# YuNet, RetinaFace) on CUDA fp32/fp16 against ORT, the existing CUDA tests, `models
# info` and `run` timings. Prepare with tools/gpu_pack_onnx.sh [CHECKOUT], then run
# `bash .device/tools/gpu_check_onnx.sh` in that checkout's root; logs under $OUT.
set -uo pipefail
D=${TOONBOX_DEVICE_DIR:-$PWD/.device}
export OUT=${OUT:-/tmp/toonbox-gpu-out}
mkdir -p "$OUT"
source "$D/bundle/env.sh"
B=$D/bundle/bin
export TOONBOX_SHARED_DIR=$D/shared TOONBOX_ORACLE_DIR=$D/oracles TOONBOX_MODELS=/tmp/toonbox-models
S=$OUT/summary.txt
: >"$S"
note() { echo "$*" | tee -a "$S"; }
note "gpu: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1)"
note "onnxruntime (python): $(python3 -c 'import onnxruntime as o; print(o.__version__)' 2>&1 | tail -1)"

"$B/toonbox_tests" --gtest_filter='*OnnxOps*:*BackendOps*:*Cuda*:-Doctor*' >"$OUT/unit.txt" 2>&1
note "unit: $(grep -E '^\[  (PASSED|FAILED) ' "$OUT/unit.txt" | tr '\n' ' ')"
for b in Reference Cpu CudaFp32 CudaFp16; do
  note "onnx ops $b: ok $(grep -c "OK \] All/OnnxOps.MatchesOnnxRuntime/${b}_" "$OUT/unit.txt") failed $(grep -c "FAILED  \] All/OnnxOps.MatchesOnnxRuntime/${b}_" "$OUT/unit.txt") skipped $(grep -c "SKIPPED \] All/OnnxOps.MatchesOnnxRuntime/${b}_" "$OUT/unit.txt")"
done
grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -40 | tee -a "$S"

"$B/toonbox_model_tests" --gtest_filter='*OnnxModels*:*CudaVsCpu*' >"$OUT/models.txt" 2>&1
note "models: $(grep -E '^\[  (PASSED|FAILED) ' "$OUT/models.txt" | tr '\n' ' ')"
grep -E '\[ measure|FAILED  \]' "$OUT/models.txt" | tee -a "$S"

"$B/toonbox" models info "$D/shared/models/retinaface-mnet025/detection_mobilenet0.25_Final.onnx" >"$OUT/info.txt" 2>&1
grep -A4 '^backends' "$OUT/info.txt" | tee -a "$S"
for p in fp32 fp16; do
  "$B/toonbox" run --model "$D/shared/models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx" \
    "$D/shared/images/wb_actress2.jpg" -o "/tmp/cute_$p.png" --device cuda --precision $p --overwrite \
    >"$OUT/run_$p.txt" 2>&1
  note "run animeganv3 cuda $p: exit $? $(tail -1 "$OUT/run_$p.txt")"
done
cp /tmp/cute_fp16.png "$OUT/" 2>/dev/null
echo "----- summary -----"
cat "$S"
