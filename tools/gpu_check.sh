#!/usr/bin/env bash
# Everything toonbox checks and times on the GPU machine, in one device call.
# Prepare here (see docs/testing.md):  tools/gpu_pack.sh   then run on the device:
#   bash tools/gpu_check.sh            (logs under $OUT; a short table printed last)
set -uo pipefail
cd "$(dirname "$0")/.."
export OUT=${OUT:-/tmp/toonbox-gpu-out}
mkdir -p "$OUT"
source .device/bundle/env.sh
B=$PWD/.device/bundle/bin
export TOONBOX_SHARED_DIR=$PWD/.device/shared
export TOONBOX_MODELS=/tmp/toonbox-models
summary=$OUT/summary.txt
: >"$summary"
note() { echo "$*" | tee -a "$summary"; }

echo "node on this machine: $(command -v node || echo none)" >>"$summary"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm --format=csv >"$OUT/nvidia-smi.txt" 2>&1
note "gpu: $(tail -1 "$OUT/nvidia-smi.txt")"

# 1. The doctor's real report.
"$B/toonbox" doctor -v >"$OUT/doctor.txt" 2>&1; note "doctor exit: $?"
"$B/toonbox" doctor --python python3 >"$OUT/doctor_python.txt" 2>&1; note "doctor --python exit: $?"

# 2. Every op on CUDA fp32/fp16 against the reference, plus the CUDA backend's own tests.
"$B/toonbox_tests" --gtest_filter='*Cuda*:-Doctor*' >"$OUT/unit_cuda.txt" 2>&1
note "unit cuda: $(grep -E '^\[  (PASSED|FAILED) ' "$OUT/unit_cuda.txt" | tr '\n' ' ') $(grep -c '^\[  SKIPPED \]' "$OUT/unit_cuda.txt") skipped-lines"

# 3. Whole models on CUDA against the CPU backend, on real photos.
"$B/toonbox_model_tests" --gtest_filter='*CudaVsCpu*' >"$OUT/model_cuda.txt" 2>&1
note "model cuda: $(grep -E '^\[  (PASSED|FAILED) ' "$OUT/model_cuda.txt" | tr '\n' ' ')"
grep '\[ measure' "$OUT/model_cuda.txt" | tee -a "$summary"

# 3b. ONNX operators and models on CUDA (they need Node + onnxruntime-node as the oracle;
# where the machine has no Node they skip, and the count says so).
"$B/toonbox_tests" --gtest_filter='*Onnx*Cuda*' >"$OUT/onnx_ops_cuda.txt" 2>&1
note "onnx ops cuda: $(grep -E '^\[  (PASSED|FAILED) ' "$OUT/onnx_ops_cuda.txt" | tr '\n' ' ') skipped: $(grep -c '^\[  SKIPPED \] ' "$OUT/onnx_ops_cuda.txt")"
"$B/toonbox_model_tests" --gtest_filter='*OnnxModels*Cuda*' >"$OUT/onnx_models_cuda.txt" 2>&1
note "onnx models cuda: $(grep -E '^\[  (PASSED|FAILED) ' "$OUT/onnx_models_cuda.txt" | tr '\n' ' ') skipped: $(grep -c '^\[  SKIPPED \] ' "$OUT/onnx_models_cuda.txt")"

# 4. The CLI end to end with bad inputs on the GPU.
TOONBOX_TEST_DEVICE=cuda TOONBOX_SHARED_DIR=/nonexistent bash tests/cli/cli_test.sh "$B/toonbox" >"$OUT/cli_cuda.txt" 2>&1
note "cli on cuda: $(tail -1 "$OUT/cli_cuda.txt")"

# 5. CLI timings (first and warm) at 512, 1024, 2048 for fp32 and fp16.
"$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
mkdir -p /tmp/sizes
python3 - <<'PY'
from PIL import Image
im = Image.open(".device/shared/images/dctnet_input.png").convert("RGB")
for s in (512, 1024, 2048):
    im.resize((s, s), Image.LANCZOS).save(f"/tmp/sizes/in_{s}.png")
PY
printf '%-6s %-5s %-9s %12s %12s %12s %12s\n' size prec model first_ms compile_ms infer_first infer_warm | tee -a "$summary"
for model in whitebox classic; do
  for s in 512 1024 2048; do
    for p in fp32 fp16; do
      "$B/toonbox" cartoonize /tmp/sizes/in_$s.png -o /tmp/sizes/out_${model}_${s}_$p.png --model $model \
        --device cuda --precision $p --timings --json --overwrite >"$OUT/t.json" 2>>"$OUT/cli_timings_err.txt"
      cat "$OUT/t.json" >>"$OUT/cli_timings.jsonl"
      python3 - "$s" "$p" "$model" <<'PY' | tee -a "$OUT/summary.txt"
import json, os, sys
j = json.load(open(os.environ["OUT"] + "/t.json"))
t = j.get("timings_ms", {})
print(f"{sys.argv[1]:<6} {sys.argv[2]:<5} {sys.argv[3]:<9} {t.get('first_total', -1):12.2f} {t.get('compile', -1):12.2f} "
      f"{t.get('inference_first', -1):12.2f} {t.get('inference_warm', -1):12.2f}" if j.get("ok") else f"{sys.argv[1]} {sys.argv[2]} FAILED: {j.get('error')}")
PY
    done
  done
done
# The same job on this machine's CPU for the side-by-side ratio (1024 only).
"$B/toonbox" cartoonize /tmp/sizes/in_1024.png -o /tmp/sizes/cpu_1024.png --model whitebox --device cpu \
  --timings --json --overwrite >"$OUT/t.json" 2>>"$OUT/cli_timings_err.txt"
python3 -c "import json,os;t=json.load(open(os.environ['OUT']+'/t.json'))['timings_ms'];print(f\"cpu 1024 whitebox warm inference: {t['inference_warm']:.1f} ms ($(nproc) cores)\")" | tee -a "$summary"
# 6. toonbox serve on the GPU: status bar text, one request, metrics, SIGTERM drain.
"$B/toonbox" serve --device cuda --port 7861 >"$OUT/serve.txt" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:7861/health/ready >/dev/null && break; sleep 0.2; done
curl -s http://127.0.0.1:7861/api/v1/status >"$OUT/serve_status.json"
note "serve status: $(head -c 300 "$OUT/serve_status.json")"
code=$(curl -s -o /tmp/sizes/served.png -w '%{http_code}' -F image=@/tmp/sizes/in_1024.png \
  'http://127.0.0.1:7861/api/v1/cartoonize?model=whitebox')
note "serve POST /api/v1/cartoonize (1024, whitebox): HTTP $code, $(stat -c %s /tmp/sizes/served.png 2>/dev/null) bytes"
curl -s http://127.0.0.1:7861/metrics | grep -E '^toonbox_(gpu|images|requests)' | head -8 | tee -a "$summary"
kill -TERM $serve_pid; wait $serve_pid; note "serve exit after SIGTERM: $?"
echo "----- summary -----"
cat "$summary"
