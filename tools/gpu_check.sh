#!/usr/bin/env bash
# Everything toonbox checks and times on the GPU machine. Prepare here with
# `TOONBOX_BUILD_DIR=build-cuda tools/gpu_pack.sh`, then on the device:
#   bash tools/gpu_check.sh tests     CUDA unit/op/model tests (incl. ONNX vs ORT, portrait)
#   bash tools/gpu_check.sh timings   doctor, CLI timings, portrait, tiling, folder
#                                     throughput, serve; a contact sheet
#   bash tools/gpu_check.sh folder    only the folder throughput
#   bash tools/gpu_check.sh bench     `toonbox bench`: the full White-box / AnimeGANv3 /
#                                     classic table (CPU vs GPU, fp32/fp16, 512/1024/2048,
#                                     batch 1 and 16), pipeline mode, the PyTorch side by side
#   bash tools/gpu_check.sh pixels    the on-device pixel conversion (issue 14): its tests,
#                                     the folder pipeline with and without it, the CUDA
#                                     unit suite, the CodeFormer fp16 per-node diagnostic
#   bash tools/gpu_check.sh e2e       issue 14's end-to-end figures: pipeline mode JPEG/PNG,
#                                     the photo folder, the server under 16 and 64 clients,
#                                     cold start with a warm algorithm cache
#   bash tools/gpu_check.sh final     after merges: the CUDA unit suite, the model tests, the
#                                     CLI on CUDA, the 1080p x4 upscale with and without
#                                     on-device pixels, serve on cuda:0,cpu
#   bash tools/gpu_check.sh multi     serve on cuda:0,cpu under load (both workers answer)
#   bash tools/gpu_check.sh coldstart a fresh process to its 1024² output, cold and warm cache
#   bash tools/gpu_check.sh verify    after a merge touching every layer: CUDA unit suite, model
#                                     tests, CLI on CUDA, speed rows, PyTorch incl. torch.compile
#   bash tools/gpu_check.sh profile   White-box fp16 step by step (TOONBOX_CUDA_PROFILE_STEPS),
#                                     the conv tests, the speed rows, PyTorch side by side
#                                     (PROFILE_COMPILE=1: torch.compile too, ~2 minutes)
#   bash tools/gpu_check.sh streams   issue 14 with --streams: the CUDA unit suite, pipeline
#                                     mode at 1/2/3 streams (JPEG, PNG), the photo folder,
#                                     the server at 16/64 clients, cold start (--timings),
#                                     the CLI on CUDA
#   bash tools/gpu_check.sh startup   PNG/WebP/JPEG pipeline mode at the format's thread split,
#                                     the cold start traced phase by phase
#   bash tools/gpu_check.sh serve14   the server with the page's latency under load, JPEG
#                                     pipeline mode at 3/4 streams, White-box's step profile
#   bash tools/gpu_check.sh tf32      --precision tf32: the CUDA unit suite, the CLI on CUDA, bench's
#                                     fp32/tf32/fp16 rows, PyTorch's eager fp32 and .half() beside
#   bash tools/gpu_check.sh upprofile the upscalers at 1080p step by step, their bench rows,
#                                     PyTorch on the same architectures side by side
#   bash tools/gpu_check.sh nhwc      NCHW models run channels last (compile/nhwc_layout.h): the
#                                     CUDA unit suite, the NCHW model tests on CUDA (upscalers vs
#                                     PyTorch, restoration and inpainting nets), the upscalers at
#                                     1080p with TOONBOX_NHWC=0 and on, step by step
#   bash tools/gpu_check.sh nhwc2     the same after the Transpose composition (AnimeGANv3 off and on)
#   bash tools/gpu_check.sh nhwcspeed the upscalers' bench rows with PyTorch side by side, and x4
#                                     end to end in pipeline mode
#   bash tools/gpu_check.sh smallconv the few-input-channel conv kernel: the CUDA unit suite (CudaTf32
#                                     verbose), White-box's step profile, the speed rows with
#                                     PyTorch beside, the server at 16/64 clients with the page probe
#   bash tools/gpu_check.sh ncu       the small-channel conv kernels: tests, step profile, Nsight Compute
#   bash tools/gpu_check.sh closing   a session's last call: CUDA unit suite, speed rows + PyTorch, soak (7 min)
#   bash tools/gpu_check.sh soak      issue 18's soak on CUDA: 64 clients, White-box, SOAK_MINUTES (9)
#   bash tools/gpu_check.sh soakstart issue 18's 10-minute soak over two calls, with the fuzz
#   bash tools/gpu_check.sh soakwait  harnesses on the spare cores: start, then at once wait
#   bash tools/gpu_check.sh           tests and timings
# Logs under $OUT; a summary printed last. Parts so each fits one device call.
set -uo pipefail
cd "$(dirname "$0")/.."
part=${1:-all}
export OUT=${OUT:-/tmp/toonbox-gpu-out}
mkdir -p "$OUT"
source .device/bundle/env.sh
B=$PWD/.device/bundle/bin
export TOONBOX_SHARED_DIR=$PWD/.device/shared TOONBOX_ORACLE_DIR=$PWD/.device/oracles
export TOONBOX_MODELS=/tmp/toonbox-models
export TOONBOX_UPSCALERJS_DIR=$PWD/.device/upscalerjs TOONBOX_UPSCALERJS_ORACLE_CACHE=$PWD/.device/upscalerjs_cache
I=$TOONBOX_SHARED_DIR/images
summary=$OUT/summary-$part.txt
: >"$summary"
note() { echo "$*" | tee -a "$summary"; }
counts() { echo "$(grep -E '^\[  (PASSED|FAILED) ' "$1" | tr '\n' ' ') skipped: $(grep -c '^\[  SKIPPED \] ' "$1")"; }
note "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"

# Folder throughput: 200 photos (mixed sizes), whitebox fp16, by batch size; CPU once.
folder_throughput() {
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/yunet/yunet_n_dynamic.onnx" --force >/dev/null
  for bs in 1 4 8; do
    note "folder cuda batch $bs: $(TOONBOX=$B/toonbox bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --mode whole --batch-size $bs 2>&1 | grep -E 'THROUGHPUT|batch size|stage busy' | tr '\n' ' ')"
  done
  # One size only (copies of one photo), so every call can be a full batch.
  mkdir -p /tmp/one && cp "$I/wb_actress2.jpg" /tmp/one/
  for bs in 1 8; do
    note "folder cuda same-size batch $bs: $(TOONBOX=$B/toonbox bash tools/bench_folder.sh -n 200 --src /tmp/one --device cuda --model whitebox --mode whole --batch-size $bs 2>&1 | grep -E 'THROUGHPUT|batch size|stage busy' | tr '\n' ' ')"
  done
  note "folder cuda portrait auto batch 4: $(TOONBOX=$B/toonbox bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --batch-size 4 2>&1 | grep -E 'THROUGHPUT|batch size|stage busy' | tr '\n' ' ')"
  note "folder cpu ($(nproc) cores) batch 1, 40 photos: $(TOONBOX=$B/toonbox bash tools/bench_folder.sh -n 40 --src "$I" --device cpu --model whitebox --mode whole 2>&1 | grep -E 'THROUGHPUT|batch size|stage busy' | tr '\n' ' ')"

}

# A fresh process to its written 1024² output, first with an empty on-disk algorithm
# cache, then twice with it warm (issue 14's cold-start target is for the warm cache).
cold_start() {
  export TOONBOX_CUDA_ALGO_CACHE=/tmp/algo-cache
  rm -rf /tmp/algo-cache
  for run in cold warm warm; do
    rm -f /tmp/cs.jpg; TIMEFORMAT="cold start ($run algorithm cache): %R s to the written output"
    time "$B/toonbox" cartoonize "$PWD/.device/in1024.jpg" -o /tmp/cs.jpg --mode whole --device cuda --precision fp16 >/dev/null 2>&1
    [ -s /tmp/cs.jpg ] || echo "  (no output written: the run failed)"
  done
  unset TOONBOX_CUDA_ALGO_CACHE
}
if [ "$part" = coldstart ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  cold_start
  # Issue 15's rows at 1080p: Real-CUGAN 2x and realesr x4 (fp16, pixels on the device).
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/realcugan-se-ncnn/up2x-conservative.param" --force >/dev/null 2>&1
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/realesr-animevideov3-ncnn/realesr-animevideov3-x4.param" --force >/dev/null 2>&1
  for m in realcugan-2x-conservative realesr-animevideov3-x4; do
    timeout 60 "$B/toonbox" bench --task upscale --model $m --sizes 1920x1080 --device cuda:0 --precision fp16 --batch 1 \
      --runs 5 --no-pipeline --no-cold-start --markdown /tmp/row_$m.md >/dev/null 2>/tmp/row.log
    echo "upscale bench $m: exit $?"; grep -E '^\| real' /tmp/row_$m.md | cut -c1-300; grep -A3 '^## Not measured' /tmp/row_$m.md | head -4
  done
fi

if [ "$part" = tests ] || [ "$part" = all ]; then
  # Every CUDA test of the unit suite: the backend's own tests, batching, tiling, OOM
  # retry; the op test matrix on all four targets (vs ONNX Runtime or the reference).
  timeout 150 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:-Doctor*' >"$OUT/unit.txt" 2>&1
  note "unit: $(counts "$OUT/unit.txt")"
  for b in Reference Cpu CudaFp32 CudaFp16; do
    note "  op matrix $b: ok $(grep -c "OK \] OpMatrix.MatchesOracle/${b}_" "$OUT/unit.txt") skipped $(grep -c "SKIPPED \] OpMatrix.MatchesOracle/${b}_.* ms)$" "$OUT/unit.txt") failed $(grep -c "FAILED  \] OpMatrix.MatchesOracle/${b}_.* ms)$" "$OUT/unit.txt")"
  done
  grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -20 | tee -a "$summary"
  # Whole models on CUDA vs the CPU and vs ORT; batch/tiling; portrait mode on CUDA.
  # RestoreNets: GPEN/GFPGAN/CodeFormer reference nets, InpaintNets: LaMa/MI-GAN reference
  # nets (both vs ONNX Runtime and PyTorch); the upscalers tiled vs whole on CUDA; the
  # UpscalerJS models vs TF.js outputs cached here (the GPU machine has no Node).
  timeout 130 "$B/toonbox_model_tests" --gtest_filter='*CudaVsCpu*:*OnnxModels*:*CudaBatch*:*BatchModels*:*TilingModels*:*Ncnn*:RestoreNets*:*InpaintNets*:*UpscaleModels.Cuda*:*UpscalerJsVsTfjs*Cuda*' >"$OUT/models.txt" 2>&1
  note "models: $(counts "$OUT/models.txt")"
  grep -E '\[ measure|FAILED  \]' "$OUT/models.txt" | tee -a "$summary"
  TOONBOX_TEST_DEVICE=cuda timeout 60 "$B/toonbox_model_tests" --gtest_filter='PortraitModels*:PublishedOutputs*:RestorePhotos*' >"$OUT/portrait_models_cuda.txt" 2>&1
  grep -E '\[ measure \] White-box.*mean' "$OUT/portrait_models_cuda.txt" | tee -a "$summary"
  note "portrait models on cuda: $(counts "$OUT/portrait_models_cuda.txt")"
  grep -E 'FAILED  \]' "$OUT/portrait_models_cuda.txt" | tee -a "$summary"
  # The CLI end to end (bad inputs too) on the GPU.
  TOONBOX_TEST_DEVICE=cuda TOONBOX_SHARED_DIR=/nonexistent timeout 60 bash tests/cli/cli_test.sh "$B/toonbox" >"$OUT/cli_cuda.txt" 2>&1
  note "cli on cuda: $(tail -1 "$OUT/cli_cuda.txt")"
fi

if [ "$part" = timings ] || [ "$part" = all ]; then
  "$B/toonbox" doctor -v >"$OUT/doctor.txt" 2>&1; note "doctor exit: $? ($(grep -m1 '^GPU:' "$OUT/doctor.txt"))"
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/yunet/yunet_n_dynamic.onnx" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx" --force >/dev/null
  mkdir -p /tmp/sizes
  python3 - <<'PY'
from PIL import Image
im = Image.open(".device/shared/images/dctnet_input.png").convert("RGB")
for s in (512, 1024, 2048, 4096):
    im.resize((s, s), Image.LANCZOS).save(f"/tmp/sizes/in_{s}.png")
PY
  # CLI timings: first (compile + run) and warm, whole mode, by size and precision.
  printf '%-6s %-5s %-9s %12s %12s %12s %12s\n' size prec model first_ms compile_ms infer_first infer_warm | tee -a "$summary"
  for model in whitebox classic; do
    for s in 512 1024 2048; do
      for p in fp32 fp16; do
        "$B/toonbox" cartoonize /tmp/sizes/in_$s.png -o /tmp/sizes/out.png --model $model --mode whole \
          --device cuda --precision $p --timings --json --overwrite >"$OUT/t.json" 2>>"$OUT/errors.txt"
        python3 - "$s" "$p" "$model" <<'PY' | tee -a "$summary"
import json, os, sys
j = json.load(open(os.environ["OUT"] + "/t.json"))
t = j.get("timings_ms", {})
print(f"{sys.argv[1]:<6} {sys.argv[2]:<5} {sys.argv[3]:<9} {t.get('first_total', -1):12.2f} {t.get('compile', -1):12.2f} "
      f"{t.get('inference_first', -1):12.2f} {t.get('inference_warm', -1):12.2f}" if j.get("ok") else f"{sys.argv[1]} {sys.argv[2]} FAILED: {j.get('error')}")
PY
      done
    done
  done
  "$B/toonbox" cartoonize /tmp/sizes/in_1024.png -o /tmp/sizes/cpu.png --model whitebox --mode whole --device cpu \
    --timings --json --overwrite >"$OUT/t.json" 2>>"$OUT/errors.txt"
  python3 -c "import json,os;t=json.load(open(os.environ['OUT']+'/t.json'))['timings_ms'];print(f\"cpu 1024 whitebox warm inference: {t['inference_warm']:.1f} ms ($(nproc) cores)\")" | tee -a "$summary"

  # Tiling at 4096²: forced 1024-px tiles vs the whole image (fp16), time and agreement.
  for tile in -1 1024; do
    "$B/toonbox" cartoonize /tmp/sizes/in_4096.png -o /tmp/sizes/t$tile.png --model whitebox --mode whole \
      --device cuda --tile $tile --timings --json --overwrite >"$OUT/tile$tile.json" 2>>"$OUT/errors.txt"
    python3 -c "import json,sys;j=json.load(open('$OUT/tile$tile.json'));t=j.get('timings_ms',{});print(f\"4096² tile=$tile: tiles {j.get('tiles')} first {t.get('first_total',-1):.1f} ms warm {t.get('warm_total',-1):.1f} ms notes {j.get('notes')}\" if j.get('ok') else 'tile $tile FAILED: '+str(j.get('error')))" | tee -a "$summary"
  done
  python3 - <<'PY' | tee -a "$summary"
import math
from PIL import Image
a = Image.open("/tmp/sizes/t-1.png").convert("RGB").tobytes(); b = Image.open("/tmp/sizes/t1024.png").convert("RGB").tobytes()
mse = sum((x - y) ** 2 for x, y in zip(a[::7], b[::7])) / len(a[::7])
print(f"4096² tiled (1024) vs whole: PSNR {10 * math.log10(255 ** 2 / mse) if mse else float('inf'):.1f} dB (every 7th byte)")
PY

  # Portrait mode: one face, a crowd, timings; fp16.
  for img in dctnet_input.png wb_actress2.jpg gpen_Solvay_conference_1927.png; do
    "$B/toonbox" cartoonize "$I/$img" -o "/tmp/sizes/portrait_$img.png" --model whitebox --mode portrait \
      --device cuda --timings --json --overwrite >"$OUT/p.json" 2>>"$OUT/errors.txt"
    python3 -c "import json;j=json.load(open('$OUT/p.json'));t=j.get('timings_ms',{});print(f\"portrait $img: faces {j.get('faces')} mode {j.get('mode')} first {t.get('first_total',-1):.1f} detect {t.get('detect',-1):.1f} heads {t.get('heads',-1):.1f} ms\" if j.get('ok') else 'portrait $img FAILED: '+str(j.get('error')))" | tee -a "$summary"
  done

  folder_throughput

  # A contact sheet of portrait mode on the GPU, brought back for review.
  mkdir -p /tmp/sheet/in /tmp/sheet/out
  for f in dctnet_input.png wb_actress2.jpg wb_party7.jpg gfpgan_Blake_Lively.jpg gpen_Solvay_conference_1927.png wb_mountain4.jpg; do cp "$I/$f" /tmp/sheet/in/; done
  "$B/toonbox" cartoonize /tmp/sheet/in -o /tmp/sheet/out --model whitebox --device cuda --json >"$OUT/sheet.jsonl" 2>&1
  /usr/bin/python3 tools/contact_sheet.py /tmp/sheet/in /tmp/sheet/out -o "$OUT/contact_sheet_gpu.png" >>"$OUT/errors.txt" 2>&1 \
    || python3 tools/contact_sheet.py /tmp/sheet/in /tmp/sheet/out -o "$OUT/contact_sheet_gpu.png" >>"$OUT/errors.txt" 2>&1
  note "contact sheet: $(ls -la "$OUT/contact_sheet_gpu.png" 2>&1 | awk '{print $5, $NF}')"

  # toonbox serve on the GPU: status, a portrait request, metrics, SIGTERM drain.
  "$B/toonbox" serve --device cuda --port 7861 >"$OUT/serve.txt" 2>&1 &
  serve_pid=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:7861/health/ready >/dev/null && break; sleep 0.2; done
  curl -s http://127.0.0.1:7861/api/v1/status >"$OUT/serve_status.json"
  note "serve status: $(python3 -c "import json;j=json.load(open('$OUT/serve_status.json'));print(j['status_line'], '| modes', j['modes'])")"
  curl -s -D "$OUT/serve_headers.txt" -o /tmp/sizes/served.png -F image=@"$I/dctnet_input.png" \
    'http://127.0.0.1:7861/api/v1/cartoonize?model=whitebox&mode=portrait' >/dev/null
  note "serve portrait: $(grep -iE '^(HTTP|X-Toonbox-(Mode|Faces|Device|Precision))' "$OUT/serve_headers.txt" | tr -d '\r' | tr '\n' ' ')"
  curl -s http://127.0.0.1:7861/metrics | grep -E '^toonbox_(gpu|images)' | head -6 | tee -a "$summary"
  kill -TERM $serve_pid; wait $serve_pid; note "serve exit after SIGTERM: $?"
fi
[ "$part" = folder ] && folder_throughput

# toonbox bench (docs/bench.md) and the same network in PyTorch, in one device call:
# each step has its own time limit so a slow one cannot take the others' time.
if [ "$part" = bench ]; then
  for m in whitebox-cartoon/tfjs-float16 animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx; do
    "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/$m" --force >/dev/null
  done
  # The table: every model, both devices, both precisions, three sizes, batch 1 and 16
  # (the CPU at batch 1: the speed-up compares time per image), a real photo.
  timeout 280 "$B/toonbox" bench --model whitebox,animeganv3-cute,classic --sizes 512,1024,2048 --batch 1,16 \
    --cpu-batch 1 --precision fp32,fp16 --device cuda:0,cpu --runs 20 --cpu-runs 3 --max-seconds 4 --no-pipeline \
    --image "$I/dctnet_input.png" --json "$OUT/bench.json" --markdown "$OUT/bench.md" >/dev/null 2>"$OUT/bench.log"
  note "bench table: exit $? (0 agrees; 1 a disagreement or failure; 124 the time limit); $OUT/bench.md"
  grep -E '^\|' "$OUT/bench.md" | tee -a "$summary"
  grep -A50 '^## Not measured' "$OUT/bench.md" | tee -a "$summary"
  # Pipeline mode where issue 14 measures it: White-box fp16, 1024² JPEG -> JPEG and PNG.
  for fmt in jpg png; do
    timeout 50 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1,16 --precision fp16 --device cuda:0 \
      --runs 5 --no-cold-start --pipeline-images 256 --pipeline-format $fmt --image "$I/dctnet_input.png" \
      --json "$OUT/bench_pipeline_$fmt.json" --markdown "$OUT/bench_pipeline_$fmt.md" >/dev/null 2>>"$OUT/bench.log"
    note "bench pipeline ($fmt): exit $?"
    grep -A4 '^## Pipeline mode' "$OUT/bench_pipeline_$fmt.md" | grep -E '^\| whitebox' | tee -a "$summary"
  done
  # PyTorch side by side: the same generator + guided filter from the same weights, at the
  # table's sizes and batches; first its agreement with toonbox's CPU output on a photo.
  timeout 170 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json "$OUT/bench.json" --check-photo "$I/gfpgan_Adele_crop.png" --toonbox "$B/toonbox" \
    --compile-sizes 1024 --json "$OUT/bench_pytorch.json" >"$OUT/bench_pytorch.txt" 2>&1
  note "pytorch side by side: exit $? (124: the time limit cut torch.compile; the rows above it stand)"
  # torch.compile's autotuner prints every candidate kernel: keep only the script's own lines.
  grep -vE 'AUTOTUNE|triton_|SingleProcess|Autotune|strides:|dtypes:|^ +convolution |^\{"num_choices' \
    "$OUT/bench_pytorch.txt" | tee -a "$summary"
fi
# Pixels converted on the device (TOONBOX_PIXELS_ON_DEVICE, default on) against the host
# conversion: its exactness tests, then pipeline mode and single calls both ways; the
# whole CUDA unit suite (the backend interface changed); the CodeFormer per-node fp16
# diagnostic; everything to stdout (few files come back).
if [ "$part" = pixels ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  timeout 60 "$B/toonbox_tests" --gtest_filter='*CudaPixels*' 2>&1 | grep -E '^\[  (PASSED|FAILED) |FAILED  \]|measure|differ|Failure' | cut -c1-400
  for dev in 0 1; do
    for fmt in jpg png; do
      TOONBOX_PIXELS_ON_DEVICE=$dev timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1,16 --precision fp16 \
        --device cuda:0 --runs 10 --no-cold-start --pipeline-images 256 --pipeline-format $fmt --image "$I/dctnet_input.png" \
        --json "$OUT/pix_${dev}_$fmt.json" --markdown /tmp/pix_${dev}_$fmt.md >/dev/null 2>>/tmp/pix.log
      echo "pixels on device=$dev, $fmt: exit $?"
      grep -E '^\| whitebox' /tmp/pix_${dev}_$fmt.md | cut -c1-420
    done
  done
  TOONBOX_PIXELS_ON_DEVICE=1 "$B/toonbox" cartoonize "$I/dctnet_input.png" -o /tmp/pix1.png --mode whole --resolution full --device cuda --precision fp16 --timings 2>&1 | tail -19
  TOONBOX_PIXELS_ON_DEVICE=0 "$B/toonbox" cartoonize "$I/dctnet_input.png" -o /tmp/pix0.png --mode whole --resolution full --device cuda --precision fp16 --timings 2>&1 | grep -E 'preprocess|upload|inference warm|download|postprocess'
  cmp /tmp/pix0.png /tmp/pix1.png && echo "cartoonize output identical with and without on-device pixels"
  timeout 150 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:-Doctor*' >/tmp/unit.txt 2>&1
  echo "unit: $(counts /tmp/unit.txt)"; grep -E "^\[  FAILED  \]" /tmp/unit.txt | head -20
  TOONBOX_DIAG_NET=codeformer timeout 100 "$B/toonbox_model_tests" --gtest_also_run_disabled_tests \
    --gtest_filter='*Fp16DivergenceByNode*:*RestoreNets*codeformer_Cuda*' 2>&1 | grep -E 'diag|measure|OK|FAILED' | head -70
fi
if [ "$part" = e2e ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/yunet/yunet_n_dynamic.onnx" --force >/dev/null
  timeout 90 "$B/toonbox_tests" --gtest_filter='*ForcedFusedEngine*:*CudaPixels*' 2>&1 | grep -E '^\[  (PASSED|FAILED) |FAILED  \]' | cut -c1-300
  TOONBOX_TEST_DEVICE=cuda timeout 90 "$B/toonbox_model_tests" --gtest_filter='*RestoreNets*Cuda*:*NcnnModels*' 2>&1 \
    | grep -E '^\[  (PASSED|FAILED) |^\[  SKIPPED|FAILED  \]|measure' | cut -c1-220
  for fmt in jpg png webp; do
    timeout 50 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1,16 --precision fp16 --device cuda:0 \
      --runs 10 --no-cold-start --pipeline-images 256 --pipeline-format $fmt --image "$I/dctnet_input.png" \
      --markdown /tmp/e2e_$fmt.md >/dev/null 2>>/tmp/e2e.log
    echo "pipeline $fmt: exit $?"; grep -A4 '^## Pipeline mode' /tmp/e2e_$fmt.md | grep -E '^\| whitebox' | cut -c1-330
  done
  for bs in 1 8; do
    echo "photo folder batch $bs: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --mode whole --batch-size $bs 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
  done
  echo "photo folder portrait auto batch 4: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --batch-size 4 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
  (cd tools && timeout 80 python3 serve_load.py --toonbox "$B/toonbox" --image "$PWD/../.device/in1024.jpg" \
    --clients 16 --clients 64 --seconds 15 --serve-arg=--device=cuda --serve-arg=--model=whitebox --serve-arg=--queue-size=64 2>&1 | tail -3)
  cold_start
fi
if [ "$part" = streams ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/yunet/yunet_n_dynamic.onnx" --force >/dev/null
  timeout 150 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:-Doctor*' >"$OUT/unit.txt" 2>&1
  note "unit: $(counts "$OUT/unit.txt")"
  grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -20 | tee -a "$summary"
  grep -E "TimedChoice" "$OUT/unit.txt" | grep -E "OK|FAILED" | tee -a "$summary"
  for st in ${STREAMS:-1 2 3}; do
    timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1,16 --precision fp16 --device cuda:0 \
      --runs 10 --no-cold-start --pipeline-images 512 --pipeline-format jpg --streams $st --image "$I/dctnet_input.png" \
      --markdown "$OUT/pipe_jpg_s$st.md" >/dev/null 2>>"$OUT/bench.log"
    note "pipeline jpg streams $st: exit $?"; grep -A5 '^## Pipeline mode' "$OUT/pipe_jpg_s$st.md" | grep -E '^\| whitebox' | cut -c1-400 | tee -a "$summary"
  done
  # The warm call's host share (pinned staging, fresh output buffers): glibc's default
  # malloc against one that keeps large blocks in its arenas (no page faults per call).
  for tun in "" "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"; do
    GLIBC_TUNABLES=$tun timeout 40 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1,16 --precision fp16 --device cuda:0 \
      --runs 10 --no-cold-start --no-pipeline --image "$I/dctnet_input.png" --markdown "$OUT/tun.md" >/dev/null 2>>"$OUT/bench.log"
    note "warm calls, GLIBC_TUNABLES='$tun':"; grep -E '^\| whitebox' "$OUT/tun.md" | cut -c1-160 | tee -a "$summary"
  done
  for fmt in png webp; do
    timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 --precision fp16 --device cuda:0 \
      --runs 5 --no-cold-start --pipeline-images 256 --pipeline-format $fmt --streams 2 --image "$I/dctnet_input.png" \
      --markdown "$OUT/pipe_$fmt.md" >/dev/null 2>>"$OUT/bench.log"
    note "pipeline $fmt streams 2: exit $?"; grep -A4 '^## Pipeline mode' "$OUT/pipe_$fmt.md" | grep -E '^\| whitebox' | cut -c1-400 | tee -a "$summary"
  done
  grep -E '^\| whitebox' "$OUT/pipe_jpg_s2.md" | head -4 | cut -c1-300 | tee -a "$summary"
  # Mixed sizes (the shared photos cycled) and one size, 1 and 2 streams; the algorithm
  # cache is warm from the rows above for 1024² only.
  mkdir -p /tmp/one && cp "$I/wb_actress2.jpg" /tmp/one/
  for st in ${FOLDER_STREAMS:-1 2}; do
    note "photo folder streams $st: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --mode whole --streams $st 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
    note "photo folder again (warm disk cache) streams $st: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --mode whole --streams $st 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
    note "one-size folder streams $st: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src /tmp/one --device cuda --model whitebox --mode whole --streams $st 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
  done
  # The load generator in 1 process (its GIL may be the limit) and spread over 4.
  for st in ${SERVE_STREAMS:-1 2}; do
    for procs in ${SERVE_PROCS:-4}; do
      note "serve streams $st, client processes $procs: $(cd tools && timeout 80 python3 serve_load.py --toonbox "$B/toonbox" --image "$PWD/../.device/in1024.jpg" \
        --clients 16 --clients 64 --seconds 12 --processes $procs --serve-arg=--device=cuda --serve-arg=--model=whitebox --serve-arg=--queue-size=64 \
        --serve-arg=--streams=$st 2>&1 | tail -3 | tr '\n' ' ' | cut -c1-1200)"
    done
  done
  TIMEFORMAT="process start without CUDA (toonbox --version): %R s"; { time "$B/toonbox" --version >/dev/null 2>&1; } 2>&1 | tee -a "$summary"
  TIMEFORMAT="plugin load + CUDA probe (toonbox doctor): %R s"; { time "$B/toonbox" doctor >/dev/null 2>&1; } 2>&1 | tee -a "$summary"
  cold_start 2>&1 | tee -a "$summary"
  TOONBOX_CUDA_ALGO_CACHE=/tmp/algo-cache "$B/toonbox" cartoonize "$PWD/.device/in1024.jpg" -o /tmp/cs2.jpg --mode whole --device cuda \
    --precision fp16 --timings --overwrite 2>&1 | tail -25 | tee -a "$summary"
  TOONBOX_TEST_DEVICE=cuda TOONBOX_SHARED_DIR=/nonexistent timeout 70 bash tests/cli/cli_test.sh "$B/toonbox" >"$OUT/cli_cuda.txt" 2>&1
  note "cli on cuda: $(tail -1 "$OUT/cli_cuda.txt")"; grep FAIL "$OUT/cli_cuda.txt" | head | tee -a "$summary"
fi
if [ "$part" = startup ]; then
  # PNG/WebP pipeline mode with the format's thread split, JPEG for comparison, and the cold
  # start traced phase by phase (TOONBOX_TRACE_STARTUP) with a warm algorithm cache.
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  for fmt_st in png:2 png:3 webp:2 jpg:3; do
    fmt=${fmt_st%:*}; st=${fmt_st#*:}
    timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 --precision fp16 --device cuda:0 \
      --runs 5 --no-cold-start --pipeline-images 512 --pipeline-format $fmt --streams $st --image "$I/dctnet_input.png" \
      --markdown "$OUT/pipe_${fmt}_s$st.md" >/dev/null 2>>"$OUT/bench.log"
    note "pipeline $fmt streams $st: exit $?"; grep -A4 '^## Pipeline mode' "$OUT/pipe_${fmt}_s$st.md" | grep -E '^\| whitebox' | cut -c1-400 | tee -a "$summary"
  done
  cold_start 2>&1 | tee -a "$summary"
  for run in 1 2; do
    TIMEFORMAT="traced cold start $run: %R s"
    { time TOONBOX_TRACE_STARTUP=1 TOONBOX_CUDA_ALGO_CACHE=/tmp/algo-cache "$B/toonbox" cartoonize "$PWD/.device/in1024.jpg" \
        -o /tmp/cs3.jpg --mode whole --device cuda --precision fp16 --overwrite >/dev/null 2>"$OUT/trace$run.txt"; } 2>&1 | tee -a "$summary"
    grep '^\[startup\]' "$OUT/trace$run.txt" | tee -a "$summary"
  done
  # `bench`'s own cold start row (time to the written output, and to exit).
  timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 --precision fp16 --device cuda:0 --runs 3 \
    --no-pipeline --image "$PWD/.device/in1024.jpg" --json "$OUT/bench_cold.json" >/dev/null 2>>"$OUT/bench.log"
  note "bench cold start: $(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print([x.get('cold_start') for x in r.get('results', r.get('rows', []))])" "$OUT/bench_cold.json" 2>&1 | cut -c1-600)"
  if [ -n "${STARTUP_FULL:-}" ]; then
    timeout 150 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:Tiling*:-Doctor*' >"$OUT/unit.txt" 2>&1
    note "unit: $(counts "$OUT/unit.txt")"; grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -20 | tee -a "$summary"
    mkdir -p /tmp/one && cp "$I/wb_actress2.jpg" /tmp/one/
    note "photo folder streams 2: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --mode whole --streams 2 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
    note "photo folder again streams 2: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src "$I" --device cuda --model whitebox --mode whole --streams 2 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
    note "one-size folder streams 2: $(TOONBOX=$B/toonbox timeout 60 bash tools/bench_folder.sh -n 200 --src /tmp/one --device cuda --model whitebox --mode whole --streams 2 2>&1 | grep -E 'THROUGHPUT|stage busy' | tr '\n' ' ')"
    TOONBOX_TEST_DEVICE=cuda TOONBOX_SHARED_DIR=/nonexistent timeout 70 bash tests/cli/cli_test.sh "$B/toonbox" >"$OUT/cli_cuda.txt" 2>&1
    note "cli on cuda: $(tail -1 "$OUT/cli_cuda.txt")"; grep FAIL "$OUT/cli_cuda.txt" | head | tee -a "$summary"
  fi
fi
if [ "$part" = serve14 ]; then
  # Issue 14's server rows with the page's own latency under the load, JPEG pipeline mode
  # at 3 and 4 streams, and White-box's step profile (where the GPU time goes now).
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  for st in ${SERVE_STREAMS:-2 3}; do
    note "serve streams $st: $(cd tools && timeout 80 python3 serve_load.py --toonbox "$B/toonbox" --image "$PWD/../.device/in1024.jpg" \
      --clients 16 --clients 64 --seconds 12 --processes 4 --serve-arg=--device=cuda --serve-arg=--model=whitebox --serve-arg=--queue-size=64 \
      --serve-arg=--streams=$st 2>&1 | tail -3 | head -2 | tr '\n' ' ' | cut -c1-1400)"
  done
  for st in 3 4; do
    timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 --precision fp16 --device cuda:0 \
      --runs 5 --no-cold-start --pipeline-images 1024 --pipeline-format jpg --streams $st --image "$I/dctnet_input.png" \
      --markdown "$OUT/pipe_jpg_s$st.md" >/dev/null 2>>"$OUT/bench.log"
    note "pipeline jpg streams $st: exit $?"; grep -A4 '^## Pipeline mode' "$OUT/pipe_jpg_s$st.md" | grep -E '^\| whitebox' | cut -c1-400 | tee -a "$summary"
  done
  TOONBOX_CUDA_PROFILE_STEPS=1 timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 --precision fp16 --device cuda:0 \
    --runs 20 --no-pipeline --no-cold-start --image "$I/dctnet_input.png" >/dev/null 2>"$OUT/profile.txt"
  note "step profile: $(wc -l <"$OUT/profile.txt") lines in profile.txt"
fi
if [ "$part" = tf32 ]; then
  # --precision tf32: the CUDA unit suite (CudaTf32.*, every conv case at tf32), the CLI on
  # CUDA, bench's fp32 / tf32 / fp16 rows and PyTorch's eager fp32 (TF32) and .half() beside.
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/yunet/yunet_n_dynamic.onnx" --force >/dev/null
  timeout 180 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:Tiling*:-Doctor*' >"$OUT/unit.txt" 2>&1
  note "unit: $(counts "$OUT/unit.txt")"; grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -20 | tee -a "$summary"
  grep -E "CudaTf32|measure \] 1x1" "$OUT/unit.txt" | tee -a "$summary"
  TOONBOX_TEST_DEVICE=cuda TOONBOX_SHARED_DIR=/nonexistent timeout 70 bash tests/cli/cli_test.sh "$B/toonbox" >"$OUT/cli_cuda.txt" 2>&1
  note "cli on cuda: $(tail -1 "$OUT/cli_cuda.txt")"; grep -E "FAIL|tf32" "$OUT/cli_cuda.txt" | head | tee -a "$summary"
  timeout 90 "$B/toonbox" bench --model whitebox --sizes 512,1024 --batch 1 --precision fp32,tf32,fp16 --device cuda:0 \
    --runs 10 --no-pipeline --no-cold-start --image "$I/dctnet_input.png" --json "$OUT/bench_tf32.json" \
    --markdown "$OUT/bench_tf32.md" >/dev/null 2>>"$OUT/bench.log"
  note "bench fp32/tf32/fp16: exit $?"; grep -E '^\| whitebox' "$OUT/bench_tf32.md" | cut -c1-200 | tee -a "$summary"
  timeout 120 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json "$OUT/bench_tf32.json" --variants eager-fp32,half-cl --json "$OUT/bench_pytorch_tf32.json" \
    >"$OUT/bench_pytorch_tf32.txt" 2>&1
  note "pytorch side by side: exit $?"; tail -20 "$OUT/bench_pytorch_tf32.txt" | tee -a "$summary"
fi
if [ "$part" = final ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/yunet/yunet_n_dynamic.onnx" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/realesr-animevideov3-ncnn/realesr-animevideov3-x4.param" --force >/dev/null 2>&1
  timeout 150 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:-Doctor*' >/tmp/unit.txt 2>&1
  echo "unit: $(counts /tmp/unit.txt)"; grep -E "^\[  FAILED  \]" /tmp/unit.txt | head -20
  TOONBOX_TEST_DEVICE=cuda timeout 100 "$B/toonbox_model_tests" --gtest_filter='*RestoreNets*:*UpscaleModels.Cuda*:*CudaVsCpu*:*OnnxModels*:*CudaBatch*:*TilingModels*:*InpaintNets*:*UpscalerJsVsTfjs*Cuda*:PortraitModels*:PublishedOutputs*:-*RealCugan*' >/tmp/models.txt 2>&1
  echo "models: $(counts /tmp/models.txt)"; grep -E 'FAILED  \]|codeformer|measure \] White-box.*mean' /tmp/models.txt | cut -c1-200 | head -20
  TOONBOX_TEST_DEVICE=cuda timeout 60 "$B/toonbox_model_tests" --gtest_filter='*NcnnModels*RealCugan*' 2>&1 | grep -E 'measure|OK \]|FAILED  \]' | cut -c1-200
  TOONBOX_TEST_DEVICE=cuda TOONBOX_SHARED_DIR=/nonexistent timeout 60 bash tests/cli/cli_test.sh "$B/toonbox" >/tmp/cli_cuda.txt 2>&1
  echo "cli on cuda: $(tail -1 /tmp/cli_cuda.txt)"
  for dev in 0 1; do
    TOONBOX_PIXELS_ON_DEVICE=$dev timeout 40 "$B/toonbox" bench --task upscale --model realesr-animevideov3-x4 --sizes 1920x1080 --device cuda:0 \
      --precision fp16 --batch 1 --runs 5 --no-pipeline --no-cold-start --markdown /tmp/up$dev.md >/dev/null 2>/tmp/up.log
    echo "upscale x4 1080p, pixels on device=$dev: exit $?"; grep -E '^\| realesr' /tmp/up$dev.md | cut -c1-300
  done
  (cd tools && timeout 45 python3 serve_load.py --toonbox "$B/toonbox" --image "$PWD/../.device/in1024.jpg" \
    --clients 16 --seconds 10 --serve-arg=--device=cuda:0,cpu --serve-arg=--model=whitebox --serve-arg=--queue-size=64 2>&1 | tail -3 | cut -c1-1500)
fi
if [ "$part" = multi ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  (cd tools && timeout 60 python3 serve_load.py --toonbox "$B/toonbox" --image "$PWD/../.device/in1024.jpg" \
    --clients 16 --seconds 15 --serve-arg=--device=cuda:0,cpu --serve-arg=--model=whitebox --serve-arg=--queue-size=64 2>&1 | tail -3 | cut -c1-1500)
  "$B/toonbox" serve --device cuda:0,cpu --model whitebox --port 7862 >/tmp/serve2.txt 2>&1 &
  pid=$!; sleep 4
  pids=()
  for i in 1 2 3 4 5 6; do
    (curl -s -D - -o /dev/null --data-binary @"$PWD/.device/in1024.jpg" -H 'Content-Type: image/jpeg' \
      'http://127.0.0.1:7862/api/v1/cartoonize?mode=whole&resolution=512' | grep -iE '^(HTTP|X-Toonbox-(Device|Precision))' \
      | tr -d '\r' | tr '\n' ' '; echo) &
    pids+=($!)
  done
  wait "${pids[@]}"
  kill -TERM $pid; wait $pid; echo "serve exit $?"
fi
# After a merge that touched every layer (issue 11's namespaces): the CUDA unit suite, the
# model tests, the CLI on CUDA, the speed rows with PyTorch, then torch.compile last (it is
# the first thing a short device budget cuts). Each result is in $OUT/verify.txt as soon as
# it is known.
if [ "$part" = verify ]; then
  v=$OUT/verify.txt
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/yunet/yunet_n_dynamic.onnx" --force >/dev/null
  timeout 150 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:-Doctor*' >/tmp/unit.txt 2>&1
  echo "unit: $(counts /tmp/unit.txt)" | tee -a "$v"; grep -E "^\[  FAILED  \]" /tmp/unit.txt | head -20 | tee -a "$v"
  TOONBOX_TEST_DEVICE=cuda timeout 110 "$B/toonbox_model_tests" --gtest_filter='*RestoreNets*:*UpscaleModels.Cuda*:*CudaVsCpu*:*OnnxModels*:*CudaBatch*:*TilingModels*:*InpaintNets*:*UpscalerJsVsTfjs*Cuda*:PortraitModels*:PublishedOutputs*:-*RealCugan*' >/tmp/models.txt 2>&1
  echo "models: $(counts /tmp/models.txt)" | tee -a "$v"; grep -E 'FAILED  \]|measure \] White-box.*mean' /tmp/models.txt | cut -c1-200 | head -20 | tee -a "$v"
  TOONBOX_TEST_DEVICE=cuda TOONBOX_SHARED_DIR=/nonexistent timeout 60 bash tests/cli/cli_test.sh "$B/toonbox" >/tmp/cli_cuda.txt 2>&1
  echo "cli on cuda: $(tail -1 /tmp/cli_cuda.txt)" | tee -a "$v"; grep -A6 '^FAIL' /tmp/cli_cuda.txt | head -20 | tee -a "$v"
  timeout 40 "$B/toonbox" bench --model whitebox --sizes 512,1024,2048 --batch 1,16 --precision fp16 --device cuda:0 --runs 20 \
    --no-pipeline --no-cold-start --image "$I/dctnet_input.png" --json "$OUT/speed.json" --markdown "$OUT/speed.md" >/dev/null 2>>/tmp/speed.log
  echo "whitebox fp16 speed: exit $?" | tee -a "$v"; grep -E '^\| whitebox' "$OUT/speed.md" | cut -d'|' -f2-12 | tee -a "$v"
  timeout 200 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json "$OUT/speed.json" --variants half-cl,compile --compile-sizes 1024 >"$OUT/speed_pytorch.txt" 2>&1
  echo "pytorch side by side (half-cl, torch.compile at 1024): exit $?" | tee -a "$v"
  grep -vE 'AUTOTUNE|triton_|SingleProcess|Autotune|strides:|dtypes:|^ +convolution |^\{"num_choices|UserWarning|storage' "$OUT/speed_pytorch.txt" | tail -12 | tee -a "$v"
fi
# Where White-box's fp16 time goes, step by step (TOONBOX_CUDA_PROFILE_STEPS=1), after
# the conv tests (the depthwise timing); then the speed rows and PyTorch side by side.
if [ "$part" = profile ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  timeout 90 "$B/toonbox_tests" --gtest_filter='CudaConv*:*CudaFusion*:*CudaResize*:*CudaElementwise*:*CudaPixels*:*CudaStepProfile*:*CudaNet*:*CudaGraph*:OpMatrix*' >/tmp/conv.txt 2>&1
  echo "conv tests: $(counts /tmp/conv.txt)"; grep -E "^\[  FAILED  \]" /tmp/conv.txt | head -20
  for s in 1024 512 2048; do
    TOONBOX_CUDA_PROFILE_STEPS=1 TOONBOX_CUDA_LOG_STEPS=1 timeout 60 "$B/toonbox" bench --model whitebox --sizes $s --batch 1 \
      --precision fp16 --device cuda:0 --runs 20 --no-pipeline --no-cold-start --image "$I/dctnet_input.png" \
      --markdown /tmp/prof_$s.md >/dev/null 2>"$OUT/profile_$s.txt"
    echo "profile $s: exit $?"; grep -m1 'sum of step medians' "$OUT/profile_$s.txt"
  done
  grep 'cuda profile' "$OUT/profile_1024.txt" | head -40 | cut -c1-230
  timeout 60 "$B/toonbox" bench --model whitebox --sizes 512,1024,2048 --batch 1,16 --precision fp16 --device cuda:0 --runs 20 \
    --no-pipeline --no-cold-start --image "$I/dctnet_input.png" --json "$OUT/speed.json" --markdown "$OUT/speed.md" >/dev/null 2>>/tmp/speed.log
  echo "whitebox fp16 speed: exit $?"; grep -E '^\| whitebox' "$OUT/speed.md" | cut -d'|' -f2-12
  timeout 170 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json "$OUT/speed.json" --variants half-cl${PROFILE_COMPILE:+,compile} --compile-sizes 1024 >"$OUT/speed_pytorch.txt" 2>&1
  echo "pytorch side by side: exit $?"
  grep -vE 'AUTOTUNE|triton_|SingleProcess|Autotune|strides:|dtypes:|^ +convolution |^\{"num_choices' "$OUT/speed_pytorch.txt" | tail -14
fi

# The few-input-channel conv kernel (White-box's 7x7 3->32 input conv) and the status
# route on the event loop: the CUDA unit suite with CudaTf32's output whole, the step
# profile, the speed rows beside PyTorch, the server under 16 and 64 clients.
if [ "$part" = smallconv ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  timeout 180 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:Tiling*:-Doctor*' >/tmp/unit.txt 2>&1
  note "unit: $(counts /tmp/unit.txt)"; grep -E "^\[  FAILED  \]" /tmp/unit.txt | head -20 | tee -a "$summary"
  grep -E "k7_s1_leaky|k5_c1_to24|k8x3_c4" /tmp/unit.txt | grep -E "OK|FAILED" | cut -c1-160 | tee -a "$summary"
  timeout 60 "$B/toonbox_tests" --gtest_filter='CudaTf32*' 2>&1 | grep -vE '^\[ (RUN|----|====) ' | cut -c1-300 | head -40 | tee -a "$summary"
  TOONBOX_CUDA_PROFILE_STEPS=1 timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 \
    --precision fp16 --device cuda:0 --runs 20 --no-pipeline --no-cold-start --image "$I/dctnet_input.png" \
    --markdown /tmp/prof.md >/dev/null 2>/tmp/profile.txt
  note "profile 1024: exit $?"; grep -m1 'sum of step medians' /tmp/profile.txt | tee -a "$summary"
  grep 'cuda profile' /tmp/profile.txt | head -14 | cut -c1-260 | tee -a "$summary"
  timeout 60 "$B/toonbox" bench --model whitebox --sizes 512,1024,2048 --batch 1,16 --precision fp16 --device cuda:0 --runs 20 \
    --no-pipeline --no-cold-start --image "$I/dctnet_input.png" --json /tmp/speed.json --markdown /tmp/speed.md >/dev/null 2>/tmp/speed.log
  note "whitebox fp16 speed: exit $?"; grep -E '^\| whitebox' /tmp/speed.md | cut -d'|' -f2-12 | tee -a "$summary"
  timeout 150 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json /tmp/speed.json --variants half-cl >/tmp/speed_pytorch.txt 2>&1
  note "pytorch side by side: exit $?"; tail -12 /tmp/speed_pytorch.txt | tee -a "$summary"
  note "serve streams 3: $(cd tools && timeout 80 python3 serve_load.py --toonbox "$B/toonbox" --image "$PWD/../.device/in1024.jpg" \
    --clients 16 --clients 64 --seconds 12 --processes 4 --serve-arg=--device=cuda --serve-arg=--model=whitebox --serve-arg=--queue-size=64 \
    --serve-arg=--streams=3 2>&1 | tail -3 | head -2 | tr '\n' ' ' | cut -c1-1400)"
fi

# The small-channel conv kernels under Nsight Compute (when the machine has it): their
# tests, White-box's step profile, then ncu's speed-of-light and memory sections for both.
if [ "$part" = ncu ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  timeout 120 "$B/toonbox_tests" --gtest_filter='CudaConv*:CudaNet*:CudaGraph*:CudaDepthwiseDiv*:CudaResize*:OpMatrix*' >/tmp/conv.txt 2>&1
  note "conv tests: $(counts /tmp/conv.txt)"; grep -E "^\[  FAILED  \]" /tmp/conv.txt | head -20 | tee -a "$summary"
  grep -A12 "Failure" /tmp/conv.txt | head -40 | cut -c1-200 | tee -a "$summary"
  TOONBOX_TEST_DEVICE=cuda timeout 100 "$B/toonbox_model_tests" --gtest_filter='*CudaVsCpu*:PublishedOutputs*:*CudaBatch*' >/tmp/models.txt 2>&1
  note "models: $(counts /tmp/models.txt)"; grep -E 'FAILED  \]|measure \] White-box' /tmp/models.txt | cut -c1-200 | head -12 | tee -a "$summary"
  TOONBOX_CUDA_PROFILE_STEPS=1 timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 \
    --precision fp16 --device cuda:0 --runs 20 --no-pipeline --no-cold-start --image "$I/dctnet_input.png" \
    --markdown /tmp/prof.md >/dev/null 2>/tmp/profile.txt
  note "profile 1024: exit $?"; grep -m1 'sum of step medians' /tmp/profile.txt | tee -a "$summary"
  grep 'cuda profile' /tmp/profile.txt | sed -n 2,60p | cut -c1-200 | tee -a "$summary"
  ncu=$(command -v ncu || ls /usr/local/cuda*/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  note "ncu: ${ncu:-not found}"
  if [ -n "$ncu" ]; then
    TOONBOX_CUDA_GRAPHS=0 timeout 200 "$ncu" --kernel-name regex:conv_few --launch-skip 12 --launch-count 4 \
      --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy --section WarpStateStats \
      "$B/toonbox" bench --model whitebox --sizes 1024 --batch 1 --precision fp16 --device cuda:0 --runs 3 \
      --no-pipeline --no-cold-start --image "$I/dctnet_input.png" >/tmp/ncu.txt 2>&1
    note "ncu exit $?"; grep -vE '^==PROF==|^ *$|----' /tmp/ncu.txt | grep -E 'conv_few|Duration|Throughput|Busy|Pipe|Bank|Occupancy|Stall|Warp Cycles|L1|L2|DRAM|Achieved|Registers|Block Limit' | cut -c1-150 | head -90 | tee -a "$summary"
  fi
fi

# The last call of a session: the CUDA unit suite, White-box's fp16 speed rows with
# PyTorch beside, then the soak (SOAK_MINUTES, default 7, so that all of it fits one call).
if [ "$part" = closing ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  timeout 180 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:Tiling*:-Doctor*' >/tmp/unit.txt 2>&1
  note "unit: $(counts /tmp/unit.txt)"; grep -E "^\[  FAILED  \]" /tmp/unit.txt | head -20 | tee -a "$summary"
  timeout 60 "$B/toonbox" bench --model whitebox --sizes 512,1024,2048 --batch 1,16 --precision fp16 --device cuda:0 --runs 20 \
    --no-pipeline --no-cold-start --image "$I/dctnet_input.png" --json /tmp/speed.json --markdown /tmp/speed.md >/dev/null 2>/tmp/speed.log
  note "whitebox fp16 speed: exit $?"; grep -E '^\| whitebox' /tmp/speed.md | cut -d'|' -f2-12 | tee -a "$summary"
  timeout 150 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json /tmp/speed.json --variants half-cl >/tmp/speed_pytorch.txt 2>&1
  note "pytorch side by side: exit $?"; tail -12 /tmp/speed_pytorch.txt | head -8 | tee -a "$summary"
  (cd tools && timeout $(( ${SOAK_MINUTES:-7} * 60 + 45 )) python3 soak.py --toonbox "$B/toonbox" --minutes "${SOAK_MINUTES:-7}" \
    --clients 64 --device cuda --model whitebox --json 2>&1 | tail -1 | cut -c1-3000 | tee -a "$summary")
fi

# Issue 18's GPU soak: 64 clients against `serve --device cuda` with White-box for
# SOAK_MINUTES (default 9: one device call is at most 10 minutes), tools/soak.py's
# criteria (no response outside 2xx/429/503, RSS flat per 1000 requests).
if [ "$part" = soak ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  (cd tools && timeout $(( ${SOAK_MINUTES:-9} * 60 + 45 )) python3 soak.py --toonbox "$B/toonbox" --minutes "${SOAK_MINUTES:-9}" \
    --clients 64 --device cuda --model whitebox --json 2>&1 | tail -1 | cut -c1-3000 | tee -a "$summary")
fi

# Issue 18's 10-minute GPU soak spans two device calls (one is at most 10 minutes).
# `soakstart` starts the soak in a process session of its own (setsid: it outlives the
# call, and the machine stays warm 30 s for the next one) and, when .device/fuzz holds the
# clang fuzz build (tools/gpu_pack.sh with TOONBOX_PACK_FUZZ), the libFuzzer harnesses on
# the CPU cores at nice 19 for FUZZ_SECONDS with FUZZ_WORKERS each; meanwhile it runs the
# CUDA unit suite and holds the call until SOAK_HOLD_S. SOAK_MINUTES: whole minutes (10).
# `soakwait`, called straight after, waits for both, prints the figures and brings back
# the fuzz corpus and any findings.
bg=/tmp/soak-bg
if [ "$part" = soakstart ]; then
  t0=$SECONDS
  mkdir -p "$bg"
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  setsid bash -c "cd tools && timeout $(( ${SOAK_MINUTES:-10} * 60 + 120 )) python3 soak.py --toonbox '$B/toonbox' \
    --minutes ${SOAK_MINUTES:-10} --clients 64 --device cuda --model whitebox --json >$bg/soak.txt 2>&1; echo \$? >$bg/soak.rc" \
    </dev/null >/dev/null 2>&1 &
  note "soak started: ${SOAK_MINUTES:-10} minutes, 64 clients, cuda, whitebox"
  if [ -d .device/fuzz/bundle/bin ]; then
    # The harnesses that were packed, unless FUZZ_HARNESSES names some of them.
    harnesses=${FUZZ_HARNESSES:-$(ls .device/fuzz/bundle/bin | sed 's/_fuzz$//' | tr '\n' ' ')}
    setsid bash -c "source .device/fuzz/bundle/env.sh && python3 tools/fuzz_run.py -t ${FUZZ_SECONDS:-1080} -j 99 \
      -w ${FUZZ_WORKERS:-3} --bin .device/fuzz/bundle/bin --seeds .device/fuzz/corpus --work $bg/fuzz \
      --json $bg/fuzz.json $harnesses >$bg/fuzz.txt 2>&1; echo \$? >$bg/fuzz.rc" </dev/null >/dev/null 2>&1 &
    note "fuzz started: ${FUZZ_SECONDS:-1080} s, ${FUZZ_WORKERS:-3} workers each: $harnesses"
  fi
  timeout 240 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:Tiling*:-Doctor*' >"$OUT/unit.txt" 2>&1
  note "unit (beside the soak): $(counts "$OUT/unit.txt")"; grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -20 | tee -a "$summary"
  while [ $((SECONDS - t0)) -lt "${SOAK_HOLD_S:-540}" ]; do sleep 5; done
  note "after ${SOAK_HOLD_S:-540} s: soak log $(tail -c 300 "$bg/soak.txt" | tr '\n' ' ')"
  note "load: $(cat /proc/loadavg); fuzz workers: $(pgrep -c -f '_fuzz -max_total_time')"
  # What the fuzzers have reached so far, in case the next call finds the machine gone.
  tail -qn1 "$bg"/fuzz/fuzz-logs/*.log 2>/dev/null | cut -c1-160 > "$OUT/fuzz-progress.txt"
fi
if [ "$part" = soakwait ]; then
  while [ ! -f "$bg/soak.rc" ] && [ $SECONDS -lt 560 ]; do sleep 5; done
  note "soak exit $(cat "$bg/soak.rc" 2>/dev/null || echo 'none (still running)')"
  tail -1 "$bg/soak.txt" | cut -c1-3000 | tee -a "$summary"
  if [ -d "$bg/fuzz" ]; then
    while [ ! -f "$bg/fuzz.rc" ] && [ $SECONDS -lt 570 ]; do sleep 5; done
    note "fuzz exit $(cat "$bg/fuzz.rc" 2>/dev/null || echo 'none (still running)')"
    cat "$bg/fuzz.txt" | tee -a "$summary"
    cp "$bg/fuzz.json" "$OUT/" 2>/dev/null
    tar -czf "$OUT/fuzz-artifacts.tgz" -C "$bg/fuzz" fuzz-artifacts
    tar -czf "$OUT/fuzz-corpus.tgz" -C "$bg/fuzz" fuzz-work
    note "fuzz corpus archive: $(du -h "$OUT/fuzz-corpus.tgz" | cut -f1) (more than 16 MiB does not come back)"
    tail -qn3 "$bg"/fuzz/fuzz-logs/*.log | cut -c1-200 > "$OUT/fuzz-tails.txt"
  fi
fi

# Issue 15's speed: the upscalers at 1080p step by step (where the time goes), their bench
# rows, and PyTorch on the same architectures and weights side by side.
if [ "$part" = upprofile ]; then
  U=$TOONBOX_SHARED_DIR/models/realesr-animevideov3-ncnn C=$TOONBOX_SHARED_DIR/models/realcugan-se-ncnn
  "$B/toonbox" models import "$U/realesr-animevideov3-x4.param" --force >/dev/null 2>&1
  "$B/toonbox" models import "$C/up2x-conservative.param" --force >/dev/null 2>&1
  "$B/toonbox" models list 2>&1 | head -8
  timeout ${UNIT_TIMEOUT:-200} "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*Cuda*:-Doctor*' >/tmp/conv.txt 2>&1
  note "CUDA unit tests: $(counts /tmp/conv.txt)"; grep -E "^\[  FAILED  \]" /tmp/conv.txt | head -20
  grep -E "CudaDataPaths|ConvTranspose" /tmp/conv.txt | grep -E "OK|FAILED" | cut -c1-160 | head -24
  if [ -n "${MODEL_TESTS:-}" ]; then
    TOONBOX_TEST_DEVICE=cuda timeout 150 "$B/toonbox_model_tests" --gtest_filter="$MODEL_TESTS" >/tmp/models.txt 2>&1
    note "model tests ($MODEL_TESTS): $(counts /tmp/models.txt)"
    grep -E '^\[  (FAILED|SKIPPED) |FAILED  \]|measure|PSNR' /tmp/models.txt | cut -c1-220 | head -30
  fi
  for m in realesr-animevideov3-x4 realcugan-2x-conservative; do
    TOONBOX_CUDA_PROFILE_STEPS=1 timeout 90 "$B/toonbox" bench --task upscale --model $m --sizes 1920x1080 --batch 1 \
      --precision fp16 --device cuda:0 --runs 10 --no-pipeline --no-cold-start --markdown /tmp/prof_$m.md >/dev/null 2>"$OUT/profile_$m.txt"
    note "profile $m: exit $? $(grep -m1 'sum of step medians' "$OUT/profile_$m.txt")"
    grep 'cuda profile' "$OUT/profile_$m.txt" | head -${PROFILE_LINES:-25} | cut -c1-260
  done
  timeout 120 "$B/toonbox" bench --task upscale --model realesr-animevideov3-x4,realcugan-2x-conservative \
    --sizes 1920x1080 --device cuda:0 --precision fp16,fp32 --batch 1 --runs 15 --no-pipeline --no-cold-start \
    --json "$OUT/speed_upscale.json" --markdown "$OUT/speed_upscale.md" >/dev/null 2>>"$OUT/speed.log"
  note "upscale bench: exit $?"; grep -E '^\| realesr|^\| realcugan' "$OUT/speed_upscale.md" | cut -c1-300 | tee -a "$summary"
  timeout 150 python3 tools/bench_upscale_pytorch.py --x4 "$U/realesr-animevideov3-x4.param" "$U/realesr-animevideov3.bin" \
    --cugan "$C/up2x-conservative.param" "$C/up2x-conservative.bin" --toonbox-json "$OUT/speed_upscale.json" \
    --conv-layouts ${UP_COMPILE:+--compile} >"$OUT/up_pytorch.txt" 2>&1
  note "pytorch upscalers: exit $?"; grep -vE 'AUTOTUNE|triton_|SingleProcess|Autotune|strides:|dtypes:' "$OUT/up_pytorch.txt" | tail -12 | tee -a "$summary"
fi
if [ "$part" = nhwc ]; then
  U=$TOONBOX_SHARED_DIR/models/realesr-animevideov3-ncnn C=$TOONBOX_SHARED_DIR/models/realcugan-se-ncnn
  "$B/toonbox" models import "$U/realesr-animevideov3-x4.param" --force >/dev/null 2>&1
  "$B/toonbox" models import "$C/up2x-conservative.param" --force >/dev/null 2>&1
  timeout 170 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:NhwcLayout*:-Doctor*' >"$OUT/unit.txt" 2>&1
  note "CUDA unit suite: $(counts "$OUT/unit.txt")"; grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -20 | tee -a "$summary"
  TOONBOX_TEST_DEVICE=cuda TOONBOX_CUDA_LOG_STEPS=1 timeout 200 "$B/toonbox_model_tests" \
    --gtest_filter='*Ncnn*:RestoreNets*:*InpaintNets*:*UpscaleModels.Cuda*:*TilingModels*:*OnnxModels*:*CudaVsCpu*' >"$OUT/models.txt" 2>&1
  note "NCHW model tests on CUDA: $(counts "$OUT/models.txt")"
  grep -E 'FAILED  \]|measure' "$OUT/models.txt" | cut -c1-220 | head -40 | tee -a "$summary"
  grep -E '^cuda layout' "$OUT/models.txt" | sort | uniq -c | sort -rn | head -20 | tee -a "$summary"
  for nhwc in 0 a; do
    TOONBOX_NHWC=$nhwc timeout 90 "$B/toonbox" bench --task upscale --model realesr-animevideov3-x4,realcugan-2x-conservative \
      --sizes 1920x1080 --device cuda:0 --precision fp16,tf32 --batch 1 --runs 15 --no-pipeline --no-cold-start \
      --json "$OUT/up_nhwc_$nhwc.json" --markdown "$OUT/up_nhwc_$nhwc.md" >/dev/null 2>>"$OUT/speed.log"
    note "upscale bench TOONBOX_NHWC=$nhwc: exit $?"; grep -E '^\| realesr|^\| realcugan' "$OUT/up_nhwc_$nhwc.md" | cut -c1-300 | tee -a "$summary"
  done
  for m in realesr-animevideov3-x4 realcugan-2x-conservative; do
    TOONBOX_CUDA_PROFILE_STEPS=1 TOONBOX_CUDA_LOG_STEPS=1 timeout 60 "$B/toonbox" bench --task upscale --model $m --sizes 1920x1080 --batch 1 \
      --precision fp16 --device cuda:0 --runs 10 --no-pipeline --no-cold-start --markdown /tmp/prof_$m.md >/dev/null 2>"$OUT/profile_$m.txt"
    note "profile $m: exit $? $(grep -m1 'sum of step medians' "$OUT/profile_$m.txt") $(grep -m1 '^cuda layout' "$OUT/profile_$m.txt")"
    grep 'cuda profile' "$OUT/profile_$m.txt" | head -${PROFILE_LINES:-16} | cut -c1-220 | tee -a "$summary"
  done
fi
if [ "$part" = nhwc2 ]; then
  # After the Transpose composition: the CUDA unit suite, the ONNX and ncnn model tests on
  # CUDA, AnimeGANv3 (an NHWC export with its own Transposes) with the pass off and on.
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx" --force >/dev/null 2>&1
  timeout 170 "$B/toonbox_tests" --gtest_filter='*Cuda*:OpMatrix*:NhwcLayout*:-Doctor*' >"$OUT/unit.txt" 2>&1
  note "CUDA unit suite: $(counts "$OUT/unit.txt")"; grep -E "^\[  FAILED  \]" "$OUT/unit.txt" | head -20 | tee -a "$summary"
  TOONBOX_TEST_DEVICE=cuda TOONBOX_CUDA_LOG_STEPS=1 timeout 150 "$B/toonbox_model_tests" \
    --gtest_filter='*OnnxModels*:*Ncnn*:*CudaVsCpu*:PortraitModels*:*InpaintNets*' >"$OUT/models.txt" 2>&1
  note "model tests on CUDA: $(counts "$OUT/models.txt")"
  grep -E 'FAILED  \]|measure.*(AnimeGAN|YuNet).*Cuda' "$OUT/models.txt" | cut -c1-200 | head -20 | tee -a "$summary"
  grep -E '^cuda layout' "$OUT/models.txt" | sort | uniq -c | sort -rn | cut -c1-150 | head -12 | tee -a "$summary"
  for nhwc in 0 a; do
    TOONBOX_NHWC=$nhwc timeout 60 "$B/toonbox" bench --model animeganv3-cute --sizes 512,1024 --batch 1 --precision fp16 \
      --device cuda:0 --runs 15 --no-pipeline --no-cold-start --image "$I/dctnet_input.png" --markdown "$OUT/ag_$nhwc.md" >/dev/null 2>>"$OUT/speed.log"
    note "animeganv3 TOONBOX_NHWC=$nhwc: exit $?"; grep -E '^\| animegan' "$OUT/ag_$nhwc.md" | cut -c1-200 | tee -a "$summary"
  done
fi
if [ "$part" = nhwcspeed ]; then
  U=$TOONBOX_SHARED_DIR/models/realesr-animevideov3-ncnn C=$TOONBOX_SHARED_DIR/models/realcugan-se-ncnn
  "$B/toonbox" models import "$U/realesr-animevideov3-x4.param" --force >/dev/null 2>&1
  "$B/toonbox" models import "$C/up2x-conservative.param" --force >/dev/null 2>&1
  timeout 90 "$B/toonbox" bench --task upscale --model realesr-animevideov3-x4,realcugan-2x-conservative \
    --sizes 1920x1080 --device cuda:0 --precision fp16,fp32 --batch 1 --runs 15 --no-pipeline --no-cold-start \
    --json "$OUT/speed_upscale.json" --markdown "$OUT/speed_upscale.md" >/dev/null 2>>"$OUT/speed.log"
  note "upscale bench: exit $?"; grep -E '^\| realesr|^\| realcugan' "$OUT/speed_upscale.md" | cut -c1-300 | tee -a "$summary"
  timeout 150 python3 tools/bench_upscale_pytorch.py --x4 "$U/realesr-animevideov3-x4.param" "$U/realesr-animevideov3.bin" \
    --cugan "$C/up2x-conservative.param" "$C/up2x-conservative.bin" --toonbox-json "$OUT/speed_upscale.json" \
    >"$OUT/up_pytorch.txt" 2>&1
  note "pytorch upscalers: exit $?"; grep -vE 'AUTOTUNE|triton_|SingleProcess|Autotune|strides:|dtypes:' "$OUT/up_pytorch.txt" | tail -12 | tee -a "$summary"
  # End to end: 1080p JPEGs decoded, upscaled 4x, the 33-megapixel results encoded (JPEG).
  timeout 100 "$B/toonbox" bench --task upscale --model realesr-animevideov3-x4 --sizes 1920x1080 --device cuda:0 \
    --precision fp16 --batch 1 --runs 3 --no-cold-start --pipeline-images 48 --pipeline-format jpg \
    --markdown "$OUT/up_pipeline.md" >/dev/null 2>>"$OUT/speed.log"
  note "upscale x4 pipeline (48 images, jpg): exit $?"; grep -iE 'pipeline|img/s|stage' "$OUT/up_pipeline.md" | cut -c1-300 | head -12 | tee -a "$summary"
fi
echo "----- summary -----"
cat "$summary"

# Speed after the speed work: White-box at the issue's sizes (fp16, strict fp32, TF32), the
# graph-API search with and without runtime-compiled engines (first-compile cost vs speed),
# PyTorch side by side, the upscalers at 1080p, the folder pipeline, one GPU and the CPU
# behind one queue, and the LaMa / GPEN architectures against PyTorch.
if [ "$part" = speed ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" --force >/dev/null
  for rc in 1 0; do
    TOONBOX_CUDA_RUNTIME_COMPILED=$rc TOONBOX_CUDA_ALGO_CACHE=/tmp/algo-rc$rc timeout 100 "$B/toonbox" bench --model whitebox \
      --sizes 512,1024,2048 --batch 1 --precision fp16,fp32 --device cuda:0 --runs 15 --no-pipeline --no-cold-start \
      --image "$I/dctnet_input.png" --json "$OUT/speed_rc$rc.json" --markdown "$OUT/speed_rc$rc.md" >/dev/null 2>>"$OUT/speed.log"
    note "whitebox speed (runtime-compiled engines per variant: $rc): exit $?"
    grep -E '^\| whitebox' "$OUT/speed_rc$rc.md" | cut -d'|' -f2-12 | tee -a "$summary"
  done
  TOONBOX_CUDA_TF32=1 timeout 60 "$B/toonbox" bench --model whitebox --sizes 512,1024,2048 --batch 1 --precision fp32 \
    --device cuda:0 --runs 15 --no-pipeline --no-cold-start --image "$I/dctnet_input.png" --json "$OUT/speed_tf32.json" \
    --markdown "$OUT/speed_tf32.md" >/dev/null 2>>"$OUT/speed.log"
  note "whitebox TF32: exit $?"; grep -E '^\| whitebox' "$OUT/speed_tf32.md" | cut -d'|' -f2-12 | tee -a "$summary"
  timeout 60 "$B/toonbox" bench --model whitebox --sizes 1024 --batch 16 --precision fp16 --device cuda:0 --runs 10 \
    --no-cold-start --pipeline-images 256 --pipeline-format jpg --image "$I/dctnet_input.png" \
    --json "$OUT/speed_b16.json" --markdown "$OUT/speed_b16.md" >/dev/null 2>>"$OUT/speed.log"
  note "whitebox 1024 b16 + pipeline jpg: exit $?"; grep -E '^\| whitebox' "$OUT/speed_b16.md" | cut -c1-400 | tee -a "$summary"
  timeout 70 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json "$OUT/speed_rc1.json" --variants eager-fp32,half-cl >"$OUT/speed_pytorch.txt" 2>&1 \
    || timeout 70 python3 tools/bench_pytorch.py --weights "$TOONBOX_SHARED_DIR/models/whitebox-cartoon/tfjs-float16" \
    --toonbox-json "$OUT/speed_rc1.json" >"$OUT/speed_pytorch.txt" 2>&1
  note "pytorch side by side: exit $?"; grep -vE 'AUTOTUNE|triton_|SingleProcess|Autotune|strides:|dtypes:' "$OUT/speed_pytorch.txt" | tail -14 | tee -a "$summary"
  # Upscalers at 1080p (issue 15: realesr-animevideov3 x4 >= 60 images/s fp16).
  timeout 90 "$B/toonbox" bench --task upscale --model realesr-animevideov3-x4,realcugan-2x-conservative \
    --sizes 1920x1080 --device cuda:0 --precision fp16,fp32 --batch 1 --runs 10 --no-pipeline --no-cold-start \
    --json "$OUT/speed_upscale.json" --markdown "$OUT/speed_upscale.md" >/dev/null 2>>"$OUT/speed.log"
  note "upscale bench: exit $?"; grep -E '^\| realesr|^\| realcugan' "$OUT/speed_upscale.md" | cut -c1-400 | tee -a "$summary"
  # One GPU and the CPU behind one queue (the multi-device folder path on the one GPU lent).
  mkdir -p /tmp/mq && for i in $(seq 1 24); do cp "$I/wb_actress2.jpg" /tmp/mq/p$i.jpg; done
  timeout 60 "$B/toonbox" cartoonize /tmp/mq -o /tmp/mq_out --model whitebox --mode whole --device cuda:0,cpu --json \
    >"$OUT/mq.jsonl" 2>"$OUT/mq.err"
  note "folder cuda:0,cpu: exit $? outputs $(ls /tmp/mq_out | wc -l)/24 $(tail -1 "$OUT/mq.jsonl" | python3 -c 'import json,sys;j=json.load(sys.stdin);print(j.get("devices"), j.get("images_per_s"))' 2>&1 | cut -c1-400)"
  # LaMa (big-lama architecture) and GPEN-512 against PyTorch, same weights.
  timeout 80 python3 tools/bench_lama.py --device cuda --tests "$B/toonbox_model_tests" --runs 5 >"$OUT/lama.txt" 2>&1
  note "lama bench: exit $?"; tail -8 "$OUT/lama.txt" | tee -a "$summary"
  timeout 80 python3 tools/bench_restore_pytorch.py --device cuda --toonbox "$B/toonbox" --precision fp16 >"$OUT/gpen.txt" 2>&1
  note "gpen bench: exit $?"; tail -8 "$OUT/gpen.txt" | tee -a "$summary"
fi

# The model tests the first run's time limits cut (restoration reference nets, upscalers
# tiled on CUDA, UpscalerJS, the paste-back photos), the 1080p upscaler row, and the one
# op-matrix row that failed, verbose; everything to stdout (few files come back).
if [ "$part" = followup ]; then
  "$B/toonbox" models import "$TOONBOX_SHARED_DIR/models/realesr-animevideov3-ncnn/realesr-animevideov3-x4.param" --force >/dev/null 2>&1 \
    || ls "$TOONBOX_SHARED_DIR/models/realesr-animevideov3-ncnn"
  TOONBOX_TEST_DEVICE=cuda timeout 68 "$B/toonbox_model_tests" \
    --gtest_filter='*RestoreNets*:*UpscaleModels.Cuda*:*UpscalerJsVsTfjs*Cuda*:*RestorePhotos*' 2>&1 \
    | grep -E '^\[  (PASSED|FAILED) |^\[  SKIPPED|FAILED  \]|measure' | cut -c1-220
  timeout 38 "$B/toonbox" bench --task upscale --model realesr-animevideov3-x4 --sizes 1920x1080 --device cuda:0 \
    --precision fp16 --batch 1 --runs 10 --no-pipeline --no-cold-start --markdown /tmp/up.md >/dev/null 2>/tmp/up.log
  echo "upscale bench exit $?"; grep -E '^\| realesr' /tmp/up.md | cut -c1-300; tail -2 /tmp/up.log
  timeout 12 "$B/toonbox_tests" --gtest_filter='OpMatrix.MatchesOracle/CudaFp16_onnx_ScatterElements*' 2>&1 | grep -vE '^\[ (RUN|      OK) ' | tail -12
fi
