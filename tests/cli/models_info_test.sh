#!/usr/bin/env bash
# `toonbox models info` for every format it reads and every one it does not: the built-in
# style, an installed model, ncnn, a TF.js graph model, ONNX (when python3's onnx module can
# write one), and TensorFlow .pb / SavedModel / .tflite / PyTorch .pth/.ckpt / pickles /
# a protobuf named model.json, which must say "not supported" and name the file (never a
# JSON parse error). Files are written here; no model data needed.
# usage: models_info_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lacks() { if grep -q -- "$2" log; then bad "$1: output has '$2'"; else ok "$1"; fi; }
mkdir -p in

expect 0 "info on the built-in default" "$toonbox" models info classic
contains "the built-in style is described" "built in: the classic cartoon filter"
contains "its graph's operators are listed" "operators (after import):"
contains "its backends are checked" "cpu fp32     yes"

# ncnn: a param and its weights, then installed and inspected by name.
printf '7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out\n' >in/relu.param
: >in/relu.bin
expect 0 "info on an ncnn param" "$toonbox" models info in/relu.param
contains "ncnn layers" "ReLU"
expect 0 "import it" "$toonbox" models import in/relu.param --name relu
expect 0 "info on an installed model by name" "$toonbox" models info relu
contains "the installed file is shown" "file: $TOONBOX_MODELS/relu/relu.param (ncnn)"

# A TF.js graph model: one Relu.
mkdir -p in/graph
cat >in/graph/model.json <<'JSON'
{"format": "graph-model", "generatedBy": "test", "convertedBy": "test",
 "modelTopology": {"node": [
  {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
   "shape": {"shape": {"dim": [{"size": "1"}, {"size": "-1"}, {"size": "-1"}, {"size": "3"}]}}}},
  {"name": "y", "op": "Relu", "input": ["x"], "attr": {"T": {"type": "DT_FLOAT"}}}]},
 "weightsManifest": []}
JSON
expect 0 "info on a TF.js graph model folder" "$toonbox" models info in/graph
contains "TF.js graph inputs" "inputs:"
contains "TF.js graph ops" "operators (after import):"
expect 0 "info on its model.json" "$toonbox" models info in/graph/model.json

# ONNX, when python3 can write one (the channel probe from cli_test).
if python3 "$here/make_channel_probe.py" in/probe.onnx 2>/dev/null; then
  expect 0 "info on an ONNX file" "$toonbox" models info in/probe.onnx
  contains "ONNX header" "ONNX IR"
else
  echo "skip - ONNX info: python3's onnx module is absent"
fi

# What toonbox does not read: named, "not supported", a way to convert, the file named.
# A protobuf's first bytes (a GraphDef starts with field 1, a node: 0x0a).
printf '\x0a\x0c\x0a\x01x\x12\x0bPlaceholder[[[[{{{{' >in/frozen.pb
expect 1 "a TensorFlow .pb" "$toonbox" models info in/frozen.pb
contains ".pb: not supported, convert to ONNX" "in/frozen.pb: a TensorFlow frozen graph (.pb) is not supported; convert it to ONNX"
mkdir -p in/saved/variables && cp in/frozen.pb in/saved/saved_model.pb
expect 1 "a SavedModel folder" "$toonbox" models info in/saved
contains "SavedModel: not supported" "in/saved: a TensorFlow SavedModel is not supported; convert it to ONNX"
expect 1 "a SavedModel's saved_model.pb" "$toonbox" models info in/saved/saved_model.pb
contains "saved_model.pb: SavedModel" "saved_model.pb: a TensorFlow SavedModel is not supported"
# A GraphDef's bytes (0x0a, a length, a node) with brackets enough to trip a JSON depth guard.
python3 -c 'import sys; sys.stdout.buffer.write(bytes([0x0a, 0x3c, 0x0a, 0x01]) + b"x" + b"[{" * 100)' >in/fake.json
mkdir -p in/pbjson && cp in/fake.json in/pbjson/model.json
for target in in/fake.json in/pbjson; do
  expect 1 "a protobuf named model.json ($target)" "$toonbox" models info "$target"
  contains "named as a protobuf, not supported" "model.json (it is not a JSON object; its first byte is 0x0a); it is binary, like a protobuf: a TensorFlow frozen graph (.pb) is not supported, convert it to ONNX"
  lacks "never a JSON depth error" "nested deeper"
done
printf '\x80\x02}q\x00.' >in/legacy.pth
expect 1 "a legacy PyTorch pickle" "$toonbox" models info in/legacy.pth
contains "pickle: not supported" "in/legacy.pth: a Python pickle (a PyTorch .pth/.pt checkpoint?); toonbox never unpickles files, which can run code: not supported; convert it to ONNX"
printf 'PK\x03\x04rest' >in/zipped.pth
expect 1 "a zip PyTorch checkpoint" "$toonbox" models info in/zipped.pth
contains "zip checkpoint: not supported" "in/zipped.pth: a zip archive (a PyTorch checkpoint, which is not supported: convert it to ONNX"
printf 'xx' >in/weights.ckpt
expect 1 "a .ckpt" "$toonbox" models info in/weights.ckpt
contains ".ckpt: not supported" "in/weights.ckpt: a PyTorch checkpoint is a Python pickle, which toonbox never opens: not supported; convert it to ONNX"
printf 'TFL3' >in/m.tflite
expect 1 "a .tflite" "$toonbox" models info in/m.tflite
contains ".tflite: not supported" "in/m.tflite: a TensorFlow Lite model is not supported; convert it to ONNX"
if [ -f "${TOONBOX_SHARED_DIR:-$here/../../../shared}/models/animeganv3-shinkai/AnimeGANv3_Shinkai_37.pb" ]; then
  expect 1 "the real AnimeGANv3 Shinkai .pb" "$toonbox" models info "${TOONBOX_SHARED_DIR:-$here/../../../shared}/models/animeganv3-shinkai/AnimeGANv3_Shinkai_37.pb"
  contains "the real .pb: not supported" "is not supported; convert it to ONNX"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
