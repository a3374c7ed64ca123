#!/usr/bin/env bash
# `toonbox restore` as a user runs it: bad command lines and models first (no data needed),
# then, with the shared YuNet and photos and python3-onnx, single images, --faces-only,
# folders (resume, a corrupt file), licences on import, and `cartoonize --restore`.
# The stand-in restorers come from tests/oracles/make_face_restorer.py (no real weights).
# usage: restore_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=${TOONBOX_SHARED_DIR:-$repo/../shared}
. "$here/lib.sh"
python3 "$here/make_fixtures.py" in >/dev/null
mkdir -p out

expect 0 "restore --help" "$toonbox" restore --help
contains "help names --fidelity" "--fidelity"
expect 2 "no -o" "$toonbox" restore in/rgb.png
expect 2 "a bad --fidelity" "$toonbox" restore in/rgb.png -o out/x.png --fidelity 2
contains "says the range" "--fidelity must be a number in 0..1"
expect 2 "an unknown --face-template" "$toonbox" restore in/rgb.png -o out/x.png --face-template mtcnn
contains "names the template" "unknown face template 'mtcnn'"
expect 2 "a bad --upscale" "$toonbox" restore in/rgb.png -o out/x.png --upscale 0
expect 2 "an unknown output extension" "$toonbox" restore in/rgb.png -o out/x.gif
expect 1 "no restorer installed" "$toonbox" restore in/rgb.png -o out/x.png --device cpu
contains "says how to get one" "no face restorer installed"
[ ! -e out/x.png ] && ok "nothing written on failure" || bad "nothing written on failure"

py=""
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import onnx' 2>/dev/null; then py=$p; break; fi
done
yunet="$shared/models/yunet/yunet_n_dynamic.onnx"
if [ -z "$py" ] || [ ! -f "$yunet" ] || [ ! -f "$shared/images/gfpgan_Blake_Lively.jpg" ]; then
  echo "skip - the rest needs python3-onnx and $shared (YuNet, photos)"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ] || exit 1
  exit 0
fi
mk="$repo/tests/oracles/make_face_restorer.py"
mkdir -p m
"$py" "$mk" identity m/gfpgan_1.4.onnx
"$py" "$mk" shift m/shift.onnx
"$py" "$mk" identity m/codeformer.onnx --weight
"$py" "$mk" identity m/gpen_bfr_512.onnx --size 256

expect 1 "a model whose name and size disagree" "$toonbox" restore in/rgb.png -o out/x.png --model m/gpen_bfr_512.onnx --device cpu
contains "says both" "named like gpen-bfr-512 (512 px faces) but its face size is 256"
expect 1 "a style model is not a restorer" "$toonbox" restore in/rgb.png -o out/x.png --model in/rgb.png --device cpu

expect 0 "import YuNet" "$toonbox" models import "$yunet" --name yunet
expect 0 "import a GFPGAN-named restorer" "$toonbox" models import m/gfpgan_1.4.onnx --name gfpgan
contains "shows GFPGAN's licence on import" "licence: Apache-2.0"
expect 0 "import a CodeFormer-named restorer" "$toonbox" models import m/codeformer.onnx --name codeformer
contains "shows CodeFormer's licence on import" "non-commercial"
expect 0 "import the colour-shift restorer" "$toonbox" models import m/shift.onnx --name shift
contains "an unknown restorer's licence is unknown" "licence: unknown"
expect 0 "models list" "$toonbox" models list
contains "lists the role" "face-restorer"
expect 1 "several restorers and no --model" "$toonbox" restore in/rgb.png -o out/x.png --device cpu
contains "asks for --model" "several face restorers are installed"

photo="$shared/images/gfpgan_Blake_Lively.jpg"
expect 0 "restore a photo" "$toonbox" restore "$photo" -o out/blake.png --model gfpgan --device cpu --json
contains "faces restored" '"faces":[1-9]'
contains "licence in the JSON" '"licence":"Apache-2.0"'
blake_w=$(grep -o '"width":[0-9]*' log | head -1 | cut -d: -f2)
[ -s out/blake.png ] && ok "output written" || bad "output written"
expect 2 "refuses to overwrite" "$toonbox" restore "$photo" -o out/blake.png --model gfpgan --device cpu
expect 0 "human output names the licence" "$toonbox" restore "$photo" -o out/cf.png --model codeformer --fidelity 0.7 --device cpu
contains "non-commercial shown" "non-commercial use only"
contains "wrote" "wrote out/cf.png"
expect 0 "--timings prints the stage timings" "$toonbox" restore "$photo" -o out/timed.png --model gfpgan --device cpu --timings
contains "timings shown" "timings (ms): decode [0-9.]*, detect [0-9.]*, restore"
expect 1 "--upscale without an installed upscaler" "$toonbox" restore "$photo" -o out/up.png --model gfpgan --upscale 2 --device cpu
contains "says what is missing" "realesr-animevideov3-x2"
[ ! -e out/up.png ] && ok "nothing written for --upscale" || bad "nothing written for --upscale"
x2="$shared/models/realesr-animevideov3-ncnn/realesr-animevideov3-x2.param"
if [ -f "$x2" ]; then
  expect 0 "import the x2 upscaler" "$toonbox" models import "$x2"
  expect 0 "--upscale 2: the background through the upscaler" "$toonbox" restore "$photo" -o out/up.png --model gfpgan --upscale 2 --device cpu --json
  w=$(grep -o '"width":[0-9]*' log | head -1 | cut -d: -f2)
  src_w=${blake_w:-0}
  [ "${w:-0}" -gt 0 ] && [ "$w" = $((src_w * 2)) ] && ok "output twice the width ($src_w -> $w)" || bad "output twice the width ($src_w -> $w)"
fi

expect 0 "no face: passed through" "$toonbox" restore in/rgb.png -o out/noface.png --model gfpgan --device cpu
contains "says so" "no face found"
[ -s out/noface.png ] && ok "passed-through image written" || bad "passed-through image written"
expect 0 "no face with --faces-only" "$toonbox" restore in/rgb.png -o out/noface2.png --model gfpgan --faces-only --device cpu --json
contains "not written" '"written":false'
[ ! -e out/noface2.png ] && ok "--faces-only wrote nothing" || bad "--faces-only wrote nothing"

mkdir -p dir
cp "$photo" dir/blake.jpg
cp "$shared/images/wb_actress2.jpg" dir/actress.jpg
cp in/rgb.png dir/noface.png
printf 'not an image' > dir/broken.png
expect 1 "a folder with a corrupt file" "$toonbox" restore dir -o outdir --model shift --faces-only --device cpu --json
contains "summary line" '"failed":1'
[ -s outdir/blake.png ] && [ -s outdir/actress.png ] && ok "faces restored into the folder" || bad "faces restored into the folder"
[ ! -e outdir/noface.png ] && ok "--faces-only: no output for the faceless image" || bad "--faces-only: no output for the faceless image"
rm dir/broken.png
expect 0 "resume with --skip-existing" "$toonbox" restore dir -o outdir --model shift --faces-only --skip-existing --device cpu --json
contains "the done ones are skipped" '"skipped_existing":2'

# bench --task restore: the whole pipeline timed on a photo with a face, the cold start
# through `toonbox restore`, and the restorer's output (shift changes colours) measured.
expect 0 "bench --task restore" "$toonbox" bench --task restore --model shift --image "$photo" --sizes 256 \
  --device cpu --runs 2 --pipeline-images 2 --json bench.json
if python3 - bench.json <<'PY' >log 2>&1; then ok "bench restore row: faces restored, cold start ran restore"; else bad "bench restore row"; fi
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["task"] == "restore" and r["outcome"] == "ok", r
assert any("face(s) restored" in n and not n.startswith("0 ") for n in r["notes"]), r["notes"]
assert r["cold_start"]["ok"] and r["cold_start"]["argv"][1] == "restore", r["cold_start"]
assert r["pipeline"]["ok"] and r["pipeline"]["images"] == 2, r["pipeline"]
assert r["warm_ms"]["wall"]["median"] > 0
PY

expect 0 "cartoonize --restore" "$toonbox" cartoonize "$photo" -o out/toon.png --model classic --restore shift --device cpu --json
contains "restore notes" 'restore: [1-9] face'
expect 1 "a restorer as a style" "$toonbox" cartoonize "$photo" -o out/toon2.png --model shift --device cpu
contains "says it is a restorer" "is a face restorer, not a style"
expect 0 "cartoonize a folder with --restore" "$toonbox" cartoonize dir -o toondir --model classic --restore shift --device cpu --json
contains "restore notes in the folder lines" 'restore: '

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
