#!/usr/bin/env bash
# End-to-end tests of `toonbox upscale` (single images, folders) and `cartoonize
# --upscale`, as a user runs them. The checks that need weights use the shared ncnn
# upscalers (../shared/models or $TOONBOX_SHARED_DIR) and are skipped, saying so, without them.
# usage: upscale_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
shared=$(realpath -m "${TOONBOX_SHARED_DIR:-$here/../../../shared}")
. "$here/lib.sh"
field() { python3 -c "import json,sys; print(json.loads(open('log').read().strip().splitlines()[-1])['$1'])"; }
is() { local got; got=$(field "$2" 2>/dev/null); if [ "$got" = "$3" ]; then ok "$1"; else bad "$1: $2 is '$got', expected '$3'"; fi; }
size_of() { python3 -c "
import struct,sys; d=open(sys.argv[1],'rb').read(); print('%dx%d' % struct.unpack('>II', d[16:24]))" "$1"; }

python3 "$here/make_folder_fixtures.py" in 3 --sizes 40x30,36x28,40x30
cp in/img000.png small.png

# Refused before any work, weights or not.
expect 2 "-s 5 refused" "$toonbox" upscale small.png -o out.png -s 5 --device cpu
contains "-s range explained" "must be an integer in 2..4"
expect 2 "--tile below the minimum refused" "$toonbox" upscale small.png -o out.png --tile 10 --device cpu
expect 2 "the input is never the output" "$toonbox" upscale small.png -o small.png --device cpu
contains "overwrite refusal explained" "refusing to overwrite the input"
expect 2 "unknown output extension" "$toonbox" upscale small.png -o out.tiff --device cpu
expect 1 "no upscaler installed: says which" "$toonbox" upscale small.png -o out.png -s 2 --device cpu
contains "names the missing model" "realesr-animevideov3-x2"

esr="$shared/models/realesr-animevideov3-ncnn"
cugan="$shared/models/realcugan-se-ncnn"
if [ ! -f "$esr/realesr-animevideov3.bin" ] || [ ! -f "$cugan/up2x-conservative.bin" ]; then
  echo "skip - the shared ncnn upscalers are not in $shared/models: weight-based checks not run"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]; exit
fi
for s in 2 3 4; do
  expect 0 "import realesr-animevideov3-x$s" "$toonbox" models import "$esr/realesr-animevideov3-x$s.param"
done
expect 0 "import realcugan" "$toonbox" models import "$cugan/up2x-conservative.param"
contains "recognised by digest" "realcugan-2x-conservative"

# -s picks the registry model; the output is scale x the input.
for s in 2 3 4; do
  expect 0 "-s $s" "$toonbox" upscale small.png -o "x$s.png" -s "$s" --device cpu --json
  is "-s $s: model" model "realesr-animevideov3-x$s"
  is "-s $s: width" width $((40 * s))
  is "-s $s: height" height $((30 * s))
  if [ "$(size_of "x$s.png")" = "$((40 * s))x$((30 * s))" ]; then ok "x$s.png is $((40 * s))x$((30 * s))"; else bad "x$s.png is $(size_of "x$s.png")"; fi
done
expect 0 "default scale is 4" "$toonbox" upscale small.png -o default.png --device cpu --json
is "default model" model "realesr-animevideov3-x4"
expect 2 "a scale the model does not make is refused" "$toonbox" upscale small.png -o bad.png -s 3 --model realcugan-2x-conservative --device cpu
contains "refusal names both scales" "upscales x2, not x3"
[ ! -e bad.png ] && ok "nothing written for a refused scale" || bad "bad.png written"
expect 2 "an existing output is kept" "$toonbox" upscale small.png -o x2.png -s 2 --device cpu
contains "says how to replace it" "--overwrite"
expect 2 "a style is not an upscaler" "$toonbox" upscale small.png -o style.png \
  --model "$shared/models/style-transfer-ncnn/styletransfer.param.bin" --bin "$shared/models/style-transfer-ncnn/candy.bin" --device cpu
contains "says why" "not an upscaler"
printf 'not an image' > broken.png
expect 1 "a broken input is named" "$toonbox" upscale broken.png -o broken_out.png -s 2 --device cpu
contains "names the file" "broken.png"
[ ! -e broken_out.png ] && ok "no output for a broken input" || bad "broken_out.png written"

# Real-CUGAN by path (its 18 px prepadding added by the pipeline), tiles, --tta, alpha.
expect 0 "realcugan by path" "$toonbox" upscale small.png -o cugan.png --model "$cugan/up2x-conservative.param" --device cpu --json
is "cugan width" width 80
python3 "$here/make_folder_fixtures.py" big 1 --sizes 150x110
expect 0 "tiled realcugan" "$toonbox" upscale big/img000.png -o cugan_tiled.png --model realcugan-2x-conservative --tile 64 --device cpu --json
is "several tiles" tiles 12
is "shared means: 1 + 4 passes" passes 5
expect 0 "--tta" "$toonbox" upscale small.png -o tta.png -s 2 --tta --device cpu --json
is "8 runs" runs 8
python3 - <<'PY'
import struct, zlib
w, h = 20, 10
rows = b"".join(b"\x00" + b"".join(bytes((200, 100, 50, 255 if x < 10 else 0)) for x in range(w)) for _ in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open("rgba.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
expect 0 "alpha" "$toonbox" upscale rgba.png -o rgba_x2.png -s 2 --device cpu --json
is "alpha kept" alpha True

# Folders: JSON lines, outputs scale x, resumable.
expect 0 "folder" "$toonbox" upscale in -o out -s 2 --device cpu
contains "summary" '"total":3,"ok":3,"failed":0'
[ "$(size_of out/img001.png)" = "72x56" ] && ok "folder output is x2" || bad "out/img001.png is $(size_of out/img001.png)"
expect 2 "existing outputs refused" "$toonbox" upscale in -o out -s 2 --device cpu
expect 0 "--skip-existing resumes" "$toonbox" upscale in -o out -s 2 --device cpu --skip-existing
contains "nothing left" '"skipped_existing":3'

# cartoonize --upscale N as a finishing step.
expect 0 "cartoonize --upscale 2" "$toonbox" cartoonize small.png -o toon.png --model classic --upscale 2 --device cpu --json
is "cartoon x2 width" width 80
expect 2 "--upscale 5 refused" "$toonbox" cartoonize small.png -o toon5.png --model classic --upscale 5 --device cpu
expect 0 "cartoonize folder --upscale 3" "$toonbox" cartoonize in -o toon_out --model classic --upscale 3 --device cpu
[ "$(size_of toon_out/img000.png)" = "120x90" ] && ok "cartoonized folder output is x3" || bad "toon_out/img000.png is $(size_of toon_out/img000.png)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
