#!/usr/bin/env bash
# End-to-end tests of the toonbox command line, as a user runs it.
# usage: cli_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
python3 "$here/make_fixtures.py" in >/dev/null

no_file() { if [ ! -e "$2" ]; then ok "$1"; else bad "$1: $2 exists"; fi; }
no_temp() { if [ -z "$(find "$work/out" -name '*.tmp' 2>/dev/null)" ]; then ok "$1"; else bad "$1: temp files left"; fi; }
mkdir -p out

# The main job with no model installed: the built-in style, said so, device stated.
expect 0 "cartoonize with the built-in style" "$toonbox" cartoonize in/rgb.png -o out/a.png --device cpu
contains "says the built-in style is used" "built-in 'classic' style"
contains "states the device and why" "device: cpu (requested), fp32"
[ -s out/a.png ] && ok "output written" || bad "output written"
expect 0 "output decodes to the input size" "$toonbox" cartoonize out/a.png -o out/a2.png --device cpu --json
contains "same width" '"width":61'
contains "same height" '"height":47'

expect 0 "auto device explains a CPU fallback" "$toonbox" cartoonize in/rgb.png -o out/auto.webp --json
if grep -q '"device":"cpu"' log; then
  if grep -q '"device_reason":"[^"]' log; then ok "auto fallback has a reason"; else bad "auto fallback has a reason"; fi
else
  ok "auto picked a GPU (reason not required)"
fi

expect 0 "alpha is kept" "$toonbox" cartoonize in/rgba.png -o out/alpha.png --device cpu --json
contains "alpha reported" '"alpha":true'
expect 0 "JPEG output" "$toonbox" cartoonize in/rgb.png -o out/c.jpg --device cpu --quality 80
expect 0 "timings report" "$toonbox" cartoonize in/rgb.png -o out/t.png --device cpu --timings
contains "first vs warm inference" "inference warm"
contains "upload timing" "upload"
contains "the cold start's shares: device init" "device init  .*CPU backend"
contains "and model load" "model load  "
expect 0 "TOONBOX_TRACE_STARTUP=1 traces the start-up" env TOONBOX_TRACE_STARTUP=1 "$toonbox" cartoonize in/rgb.png -o out/trace.png --device cpu
contains "the trace marks the written output" "^\[startup\] +[0-9.]* ms output written"
contains "and ends after the exit handlers" "^\[startup\] +[0-9.]* ms exit handlers and destructors done"
expect 0 "without it, no trace" "$toonbox" cartoonize in/rgb.png -o out/notrace.png --device cpu
if grep -q '^\[startup\]' log; then bad "without it, no trace: a [startup] line"; else ok "without it, no trace lines"; fi

# --device cuda that cannot be honoured is an error, never a CPU run.
if "$toonbox" cartoonize in/rgb.png -o out/gpu.png --device cuda >log 2>&1; then
  ok "--device cuda ran (a GPU is present)"
else
  contains "--device cuda refused with a reason" "cannot be used"
  no_file "--device cuda left no output" out/gpu.png
fi
expect 2 "fp16 on the CPU is refused" "$toonbox" cartoonize in/rgb.png -o out/h.png --device cpu --precision fp16
expect 2 "tf32 on the CPU is refused" "$toonbox" cartoonize in/rgb.png -o out/h.png --device cpu --precision tf32
contains "tf32 refused with the reason" "tf32 needs an NVIDIA GPU"
expect 2 "an unknown precision is refused" "$toonbox" cartoonize in/rgb.png -o out/h.png --device cpu --precision fp64
contains "naming the choices" "auto, fp32, tf32 or fp16"
# On the GPU machine (TOONBOX_TEST_DEVICE=cuda): --precision tf32 runs and says so.
if [ "${TOONBOX_TEST_DEVICE:-cpu}" = cuda ]; then
  expect 0 "tf32 on the GPU" "$toonbox" cartoonize in/rgb.png -o out/tf32.png --device cuda --precision tf32
  contains "the device line says tf32" "device: cuda:0 .*tf32"
fi

# Bad inputs: clear errors naming the file, non-zero exit, no output, no temp files.
# TOONBOX_TEST_DEVICE=cuda runs these on the GPU (the device-machine script does).
dev=${TOONBOX_TEST_DEVICE:-cpu}
expect 1 "zero-byte file ($dev)" "$toonbox" cartoonize in/empty.jpg -o out/e.png --device "$dev"
contains "zero-byte file named" "in/empty.jpg"
no_file "no output for a zero-byte file" out/e.png
expect 1 "unknown format ($dev)" "$toonbox" cartoonize in/unknown.jpg -o out/u.png --device "$dev"
contains "unknown format explained" "unknown image format"
no_file "no output for an unknown format" out/u.png
expect 1 "PNG header claiming 100000x100000 ($dev)" "$toonbox" cartoonize in/huge_header.png -o out/h.png --device "$dev"
contains "pixel limit explained" "megapixels"
no_file "no output for a huge header" out/h.png
head -c 700 out/c.jpg >in/truncated.jpg
expect 1 "truncated JPEG ($dev)" "$toonbox" cartoonize in/truncated.jpg -o out/tr.png --device "$dev"
contains "truncation explained" "in/truncated.jpg"
no_file "no output for a truncated JPEG" out/tr.png
# The same code words as the HTTP API (issue 20): an unreadable file is corrupt_image in
# a single image's --json and in a folder's report, and --long-side 0 keeps the size as
# the API's long_side=0 does.
expect 1 "unknown format with --json ($dev)" "$toonbox" cartoonize in/unknown.jpg -o out/u.png --device "$dev" --json
contains "the API's word for an unreadable file" '"code":"corrupt_image"'
mkdir -p in/words && cp in/unknown.jpg in/words/bad.jpg && cp in/rgb.png in/words/good.png
expect 1 "a folder with an unreadable file ($dev)" "$toonbox" cartoonize in/words -o out/words --device "$dev" --json
contains "the folder says corrupt_image too" '"code":"corrupt_image"'
expect 0 "--long-side 0 keeps the input's size" "$toonbox" cartoonize in/rgb.png -o out/ls0.png --device cpu --long-side 0 --json
python3 - out/ls0.png in/rgb.png <<'PY' && ok "--long-side 0 output has the input's size" || bad "--long-side 0 output has the input's size"
import struct, sys
size = lambda p: struct.unpack('>II', open(p, 'rb').read(24)[16:24])
sys.exit(0 if size(sys.argv[1]) == size(sys.argv[2]) else 1)
PY
expect 1 "pixel limit is configurable ($dev)" "$toonbox" cartoonize in/rgb.png -o out/lim.png --device "$dev" --max-pixels 1000
no_temp "no temp files left behind"
if [ "$dev" != cpu ]; then
  expect 0 "cartoonize on $dev" "$toonbox" cartoonize in/rgba.png -o out/gpu_ok.png --device "$dev" --json
  contains "ran on $dev" "\"device\":\"cuda"
  contains "alpha kept on $dev" '"alpha":true'
fi

# --streams: workers per GPU behind the folder's one queue (a GPU gets 2 by default, the
# CPU always one); out of range is refused before any work.
mkdir -p in/streams
for i in 1 2 3 4 5 6; do cp in/rgb.png in/streams/s$i.png; done
expect 2 "--streams 0 is refused" "$toonbox" cartoonize in/streams -o out/streams0 --device "$dev" --streams 0
contains "--streams range named" "streams must be an integer in 1..8"
[ ! -e out/streams0 ] && ok "nothing written for a refused --streams" || bad "nothing written for a refused --streams"
expect 0 "a folder with --streams 2 ($dev)" "$toonbox" cartoonize in/streams -o out/streams2 --device "$dev" --streams 2 --json
if [ "$dev" != cpu ]; then
  contains "two workers on the GPU" '"device":"cuda:0#2"'
  contains "the summary says 2 streams" '2 streams'
else
  contains "the CPU keeps one worker" '"devices":\[{"device":"cpu","images":6'
fi
[ "$(ls out/streams2 | wc -l)" = 6 ] && ok "every image written with --streams 2" || bad "every image written with --streams 2"

# Outputs never overwrite inputs or existing files unless asked.
cp in/rgb.png out/same.png
expect 2 "refuses to overwrite the input" "$toonbox" cartoonize out/same.png -o out/same.png --device cpu
cmp -s in/rgb.png out/same.png && ok "input unchanged" || bad "input unchanged"
expect 2 "refuses an existing output" "$toonbox" cartoonize in/rgb.png -o out/a.png --device cpu
expect 0 "--overwrite replaces an output" "$toonbox" cartoonize in/rgb.png -o out/a.png --device cpu --overwrite
expect 2 "unknown output extension" "$toonbox" cartoonize in/rgb.png -o out/x.gif --device cpu
expect 2 "unknown option" "$toonbox" cartoonize in/rgb.png -o out/y.png --devcie cpu
expect 2 "bad device name" "$toonbox" cartoonize in/rgb.png -o out/y.png --device tpu

# Portrait mode without a face detector (none installed yet): an error naming the import
# command, before any work; auto falls back to the whole image and says why.
expect 1 "--mode portrait without a detector fails" "$toonbox" cartoonize in/rgb.png -o out/p.png --mode portrait --device cpu
contains "missing detector names the import command" "toonbox models import <yunet file>"
no_file "no output without a detector" out/p.png
expect 0 "--mode auto without a detector" "$toonbox" cartoonize in/rgb.png -o out/pa.png --device cpu
contains "auto says it fell back" "whole-image mode"
expect 2 "bad --mode" "$toonbox" cartoonize in/rgb.png -o out/v.png --mode heads --device cpu
for bad_value in 1.5 -0.1 abc 0.5x nan; do
  expect 2 "--strength $bad_value refused" "$toonbox" cartoonize in/rgb.png -o out/v.png --strength "$bad_value" --device cpu
done
contains "strength range explained" "--strength must be a number in 0..1"
for bad_value in -5 12x 99999; do  # 0 keeps the input's size (tested above)
  expect 2 "--long-side $bad_value refused" "$toonbox" cartoonize in/rgb.png -o out/v.png --long-side "$bad_value" --device cpu
done
contains "long side range explained" "--long-side must be an integer in 0..16384"
no_file "no output for bad values" out/v.png
expect 0 "--long-side upscales, --strength blends" "$toonbox" cartoonize in/rgb.png -o out/big.png --long-side 122 --strength 0.5 --device cpu --json
contains "upscaled width" '"width":122'
contains "upscaled height" '"height":94'

for bad_value in 0 31 abc 8193 1.5; do
  expect 2 "--resolution $bad_value refused" "$toonbox" cartoonize in/rgb.png -o out/v.png --resolution "$bad_value" --device cpu
done
contains "resolution rule explained" "resolution must be auto, full or a short side of 32..8192 px"
expect 0 "--resolution 32 processes at a 32 px short side" "$toonbox" cartoonize in/rgb.png -o out/res.png --resolution 32 --device cpu --json
contains "processing size reported" '"process_height":32'
contains "output keeps the input size" '"width":61'
expect 2 "a bad --channels refused" "$toonbox" cartoonize in/rgb.png -o out/v.png --channels rbg --device cpu
no_file "no output for bad values" out/v.png

# Models: listing an empty directory, a missing model, and importing real weights.
expect 0 "models list on an empty directory" "$toonbox" models list
contains "empty list says what happens" "built-in 'classic' style"
expect 1 "missing model named" "$toonbox" cartoonize in/rgb.png -o out/m.png --model whitebox --device cpu
contains "missing model explained" "not installed"
shared=${TOONBOX_SHARED_DIR:-$here/../../../shared}
if [ -f "$shared/models/whitebox-cartoon/tfjs-float16/model.json" ]; then
  expect 0 "import the White-box model" "$toonbox" models import "$shared/models/whitebox-cartoon/tfjs-float16"
  contains "identified by digest" "digests match"
  expect 0 "models list shows it" "$toonbox" models list
  contains "listed" "whitebox"
  expect 0 "cartoonize with the White-box model by default" "$toonbox" cartoonize in/rgb.png -o out/wb.png --device cpu
  contains "uses the installed model" "model: whitebox"
  # The contract at work: White-box is BGR; forcing RGB must change the picture, and the
  # processing resolution follows the authors' rule unless --resolution says otherwise.
  photo="$shared/images/wb_actress2.jpg"
  if [ -f "$photo" ]; then
    expect 0 "White-box at the authors' resolution" "$toonbox" cartoonize "$photo" -o out/wb_auto.png --mode whole --device cpu --json
    contains "short side 720 as the authors run it" '"process_width":720'
    expect 0 "White-box at --resolution 256" "$toonbox" cartoonize "$photo" -o out/wb_bgr.png --mode whole --resolution 256 --device cpu --json
    contains "short side 256" '"process_width":256'
    expect 0 "White-box forced to RGB" "$toonbox" cartoonize "$photo" -o out/wb_rgb.png --mode whole --resolution 256 --channels rgb --device cpu
    if cmp -s out/wb_bgr.png out/wb_rgb.png; then bad "--channels rgb changes the output"; else ok "--channels rgb changes the output"; fi
  fi
  expect 2 "re-import refused without --force" "$toonbox" models import "$shared/models/whitebox-cartoon/tfjs-float16"
  yunet="$shared/models/yunet/yunet_n_dynamic.onnx"
  if [ -f "$yunet" ]; then
    expect 0 "import the YuNet detector" "$toonbox" models import "$yunet"
    expect 0 "--mode portrait on an image without faces" "$toonbox" cartoonize in/rgb.png -o out/pf.png --mode portrait --device cpu
    contains "no faces is a note, not an error" "no usable faces found"
    contains "reports whole mode" "whole mode"
    if [ -f "$photo" ]; then
      expect 0 "portrait mode reports its detections" "$toonbox" cartoonize "$photo" -o out/wb_portrait.png --device cpu --json
      contains "a detection with its verdict" '"verdict":"head"'
      contains "with its sharpness" '"sharpness":'
      contains "portrait mode used" '"mode":"portrait"'
      expect 0 "a face score no face reaches" "$toonbox" cartoonize "$photo" -o out/wb_strict.png --face-score 0.99 --device cpu --json
      contains "a low-score face is reported, not used" '"verdict":"low score"'
    fi
  fi
else
  echo "skip - White-box model tests: $shared/models not found"
fi

# ONNX: `run` on any image model, `models info`, importing a known .onnx file.
expect 2 "run needs --model" "$toonbox" run in/rgb.png -o out/r.png
expect 1 "run with a missing model file" "$toonbox" run --model nowhere/m.onnx in/rgb.png -o out/r.png --device cpu
expect 2 "run with a bad --range" "$toonbox" run --model x.onnx in/rgb.png -o out/r.png --range 1,0
expect 1 "models info on a missing file" "$toonbox" models info nowhere.onnx
printf 'not a protobuf' >in/bad.onnx
expect 1 "models info on a corrupt file" "$toonbox" models info in/bad.onnx
contains "corrupt file explained" "not a valid ONNX model"
# ncnn params (written here): layers, unsupported layers by name and line, backends.
printf '7767517\n2 2\nInput in 0 1 data\nMish m 1 1 data out\n' >in/m.param
expect 0 "models info on an ncnn param" "$toonbox" models info in/m.param
contains "ncnn info lists layers" "Mish  "
contains "ncnn info names the unsupported layer" "not supported by toonbox: Mish (layer 'm' line 4)"
printf '7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out\n' >in/r.param
: >in/r.bin
expect 0 "models info on an ncnn param with its .bin" "$toonbox" models info in/r.param
contains "ncnn info checks the backends" "cpu fp32     yes"
printf '7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 nope out\n' >in/bad.param
expect 1 "models info on a damaged ncnn param" "$toonbox" models info in/bad.param
contains "damaged ncnn param explained" "line 4: layer 'r' (ReLU, line 4): input blob 'nope' is not produced"
# A model the registry does not know: the channel order `models import --channels` records
# is applied. The probe outputs its first input channel as grey: BGR must give the blue plane.
if python3 "$here/make_channel_probe.py" in/probe.onnx 2>/dev/null; then
  expect 0 "import an unknown ONNX as BGR" "$toonbox" models import in/probe.onnx --name probe-bgr --channels bgr --range 0,1
  expect 0 "models info shows the recorded contract" "$toonbox" models info probe-bgr
  contains "recorded channel order shown" "BGR, range \[0,1\] (recorded by \`models import\`)"
  expect 0 "run the BGR probe" "$toonbox" run --model probe-bgr in/rgb.png -o out/probe_bgr.png --device cpu
  expect 0 "run the probe as RGB (the default)" "$toonbox" run --model in/probe.onnx --range 0,1 in/rgb.png -o out/probe_rgb.png --device cpu
  python3 - in/rgb.png out/probe_bgr.png out/probe_rgb.png >log 2>&1 <<'PY'
import sys, zlib
def pixels(path):  # the RGB bytes of an 8-bit RGB/RGBA PNG, stdlib only
    data = open(path, "rb").read(); pos, idat, w = 8, b"", 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big"); tag = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]
        if tag == b"IHDR": w, h, ch = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big"), {2: 3, 6: 4}[body[9]]
        if tag == b"IDAT": idat += body
        pos += 12 + n
    raw, rows, prev, stride = zlib.decompress(idat), [], bytearray(w * ch), w * ch
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0; b = prev[i]; c = prev[i - ch] if i >= ch else 0
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + [0, a, b, (a + b) // 2, a if pa <= pb and pa <= pc else (b if pb <= pc else c)][f]) & 255
        rows.append(line); prev = line
    return [tuple(r[x * ch:x * ch + 3]) for r in rows for x in range(w)]
src, bgr, rgb = (pixels(p) for p in sys.argv[1:4])
blue = max(abs(o[0] - i[2]) for i, o in zip(src, bgr)); red = max(abs(o[0] - i[0]) for i, o in zip(src, rgb))
print(f"BGR probe vs blue plane: max diff {blue}; RGB probe vs red plane: max diff {red}")
sys.exit(0 if blue <= 1 and red <= 1 else 1)
PY
  if [ $? -eq 0 ]; then ok "the recorded BGR order reaches the model"; else bad "the recorded BGR order reaches the model"; fi
else
  echo "skip - channel-order probe: python3's onnx module is absent"
fi
# Removing models: only folders models import made, never the built-in style.
mkdir -p "$TOONBOX_MODELS/not-a-model" && echo keep >"$TOONBOX_MODELS/not-a-model/file"
expect 2 "models remove refuses a folder without a manifest" "$toonbox" models remove not-a-model
[ -f "$TOONBOX_MODELS/not-a-model/file" ] && ok "the foreign folder is left alone" || bad "the foreign folder is left alone"
expect 2 "models remove refuses the built-in style" "$toonbox" models remove classic
expect 1 "models remove of a model not installed" "$toonbox" models remove nothing-here
contains "says it is not installed" "is not installed"
expect 2 "models remove refuses a path" "$toonbox" models remove ../x
if [ -d "$TOONBOX_MODELS/probe-bgr" ]; then
  expect 0 "models remove an imported model" "$toonbox" models remove probe-bgr
  [ ! -e "$TOONBOX_MODELS/probe-bgr" ] && ok "its folder is gone" || bad "its folder is gone"
  expect 1 "a removed model is not usable" "$toonbox" run --model probe-bgr in/rgb.png -o out/gone.png --device cpu
fi
# Importing bad model files fails the work (exit 1), not the command line (exit 2).
expect 1 "import of a corrupt ONNX file exits 1" "$toonbox" models import in/bad.onnx --name bad
contains "corrupt import explained" "not a valid ONNX model"
printf '\x80\x04\x95\x10\x00\x00\x00junk' >in/checkpoint.pth
expect 1 "import of a pickle exits 1" "$toonbox" models import in/checkpoint.pth --name p
contains "a pickle is called a pickle" "Python pickle"
mkdir -p in/pickled && printf '\x80\x02}q\x00.' >in/pickled/model.json
expect 1 "a pickle named model.json" "$toonbox" models import in/pickled --name p
contains "a pickle named model.json is still a pickle" "never unpickles"
expect 2 "an import may not take the built-in name" "$toonbox" models import in/bad.onnx --name classic
contains "built-in name explained" "built-in name"
expect 0 "help COMMAND shows the command's options" "$toonbox" help upscale
contains "help COMMAND is the command's --help" "usage: toonbox upscale"
expect 2 "help for a command that does not exist" "$toonbox" help nosuch
contains "the unknown command is named" "no command 'nosuch'"
expect 2 "a short --token is refused" "$toonbox" serve --token x --port 0
contains "token length explained" "at least 12 characters"
# OpenMP's wait policy (src/cli/openmp_policy.h): unset, the running toonbox has PASSIVE
# (it executed itself again, same pid); set by the user, it is kept.
omp_policy_of_serve() {
  "$@" serve --port 0 --device cpu >out/omp_serve.log 2>&1 &
  local pid=$! policy=""
  for _ in $(seq 300); do grep -q "listening on" out/omp_serve.log 2>/dev/null && break; sleep 0.1; done
  policy=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep '^OMP_WAIT_POLICY=' | cut -d= -f2)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "$policy"
}
if [ -r /proc/self/environ ]; then
  got=$(omp_policy_of_serve env -u OMP_WAIT_POLICY "$toonbox")
  if [ "$got" = PASSIVE ]; then ok "OpenMP wait policy PASSIVE by default"; else bad "OpenMP wait policy by default: got '$got'"; fi
  got=$(omp_policy_of_serve env OMP_WAIT_POLICY=ACTIVE "$toonbox")
  if [ "$got" = ACTIVE ]; then ok "a user's OMP_WAIT_POLICY is kept"; else bad "user's OMP_WAIT_POLICY: got '$got'"; fi
fi
cute="$shared/models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx"
if [ -f "$cute" ]; then
  expect 0 "run AnimeGANv3 (ONNX) on an image" "$toonbox" run --model "$cute" in/rgba.png -o out/cute.png --device cpu
  contains "the registry's contract is used" "NHWC RGB in \[-1,1\], out \[-1,1\]"
  contains "and said where it comes from" "(registry: TachibanaYoshino/AnimeGANv3"
  [ -s out/cute.png ] && ok "ONNX output written" || bad "ONNX output written"
  expect 0 "models info" "$toonbox" models info "$cute"
  contains "info lists operators" "GlobalAveragePool"
  contains "info says the CPU can run it" "cpu fp32     yes"
  expect 0 "import the AnimeGANv3 ONNX model" "$toonbox" models import "$cute"
  contains "ONNX identified by digest" "installed 'animeganv3-cute'"
  expect 0 "cartoonize with the installed ONNX model" "$toonbox" cartoonize in/rgb.png -o out/cute2.png --model animeganv3-cute --device cpu
  yunet="$shared/models/yunet/yunet_n_dynamic.onnx"
  if [ -f "$yunet" ]; then
    expect 1 "run refuses a detector (not an image output)" "$toonbox" run --model "$yunet" in/rgb.png -o out/y.png --device cpu --multiple 32
    contains "detector refusal explained" "not an image"
  fi
else
  echo "skip - ONNX CLI tests: $cute not found"
fi

# TF.js layers models: a layers model with an unknown class (written here), and the
# UpscalerJS packages when tests/oracles/fetch_upscalerjs.sh has fetched them.
mkdir -p in/layers
cat >in/layers/model.json <<'JSON'
{"format": "layers-model", "modelTopology": {"keras_version": "2.10.0", "model_config": {"class_name": "Functional",
 "config": {"name": "m", "layers": [
  {"class_name": "InputLayer", "name": "in", "config": {"batch_input_shape": [null, null, null, 3]}, "inbound_nodes": []},
  {"class_name": "Mish", "name": "mish", "config": {}, "inbound_nodes": [[["in", 0, 0, {}]]]}],
 "input_layers": [["in", 0, 0]], "output_layers": [["mish", 0, 0]]}}},
 "weightsManifest": []}
JSON
expect 1 "models info on a layers model with an unknown class" "$toonbox" models info in/layers
contains "layers info lists classes" "Mish                     1"
contains "layers info names the unsupported class" "not supported by toonbox: Mish"
contains "the import error names the layer and class" "unsupported TF.js layers: Mish (layer 'mish')"
upscalerjs=${TOONBOX_UPSCALERJS_DIR:-$here/../oracles/upscalerjs}
if [ -f "$upscalerjs/default-model/package/models/model.json" ]; then
  expect 0 "import @upscalerjs/default-model" "$toonbox" models import "$upscalerjs/default-model/package/models"
  contains "default-model is esrgan-slim x2 by digest" "installed 'esrgan-slim-x2'"
  expect 0 "run the UpscalerJS 2x model by name" "$toonbox" run --model esrgan-slim-x2 in/rgb.png -o out/up2.png --device cpu
  contains "the registry's upscaler contract is used" "NHWC RGB in \[0,255\], out \[0,255\].*output x2"
  python3 - out/up2.png in/rgb.png <<'PY' && ok "2x output is twice the size" || bad "2x output is twice the size"
import struct, sys
def size(p):
    with open(p, 'rb') as f:
        head = f.read(24)
    return struct.unpack('>II', head[16:24])
(w2, h2), (w, h) = size(sys.argv[1]), size(sys.argv[2])
sys.exit(0 if (w2, h2) == (2 * w, 2 * h) else 1)
PY
else
  echo "skip - UpscalerJS CLI tests: $upscalerjs not fetched (tests/oracles/fetch_upscalerjs.sh)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
