#!/usr/bin/env bash
# End-to-end tests of `toonbox inpaint`: one image and folders, good and bad inputs.
# usage: inpaint_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lacks() { if ! grep -q -- "$2" log; then ok "$1"; else bad "$1: output has '$2'"; fi; }
absent() { if [ ! -e "$2" ]; then ok "$1"; else bad "$1: $2 exists"; fi; }
present() { if [ -s "$2" ]; then ok "$1"; else bad "$1: $2 missing"; fi; }
python3 "$here/make_inpaint_fixtures.py"
# Debian's OpenCV (in the system Python) checks pixels when it is there.
cvpy=""
for py in /usr/bin/python3 python3; do "$py" -c 'import cv2' 2>/dev/null && { cvpy=$py; break; }; done
# same_outside OUT IN MASK: every pixel where MASK is black equals IN; some hole pixel changed.
same_outside() {
  [ -z "$cvpy" ] && { echo "skip - $1 (no cv2)"; return; }
  if "$cvpy" - "$2" "$3" "$4" <<'PY'
import sys, cv2, numpy as np
out, src, m = (cv2.imread(p, cv2.IMREAD_COLOR) for p in sys.argv[1:4])
keep = cv2.cvtColor(m, cv2.COLOR_BGR2GRAY) < 128
sys.exit(0 if (out[keep] == src[keep]).all() and (out[~keep] != src[~keep]).any() else 1)
PY
  then ok "$1"; else bad "$1"; fi
}
run=("$toonbox" inpaint)

for model in telea ns; do
  expect 0 "$model: one image" "${run[@]}" photo.png --mask mask.png -o out_$model.png --model $model
  contains "$model: says what it filled" "pixels filled"
  present "$model: output written" out_$model.png
  same_outside "$model: outside the mask bit-exact, holes changed" out_$model.png photo.png mask.png
done
expect 0 "default model is telea, said so" "${run[@]}" photo.png --mask mask.png -o out_default.png
contains "note names the built-in method" "using the built-in 'telea'"
expect 0 "--dilate and --radius" "${run[@]}" photo.png --mask mask.png -o out_dil.png --dilate 3 --radius 7 --json
contains "json says ok" '"ok":true'
contains "dilated mask is larger" '"hole_pixels":'
expect 0 "every strategy" "${run[@]}" photo.png --mask mask.png -o out_resize.png --strategy resize
expect 0 "strategy original" "${run[@]}" photo.png --mask mask.png -o out_orig.png --strategy original
expect 2 "a bad strategy" "${run[@]}" photo.png --mask mask.png -o x.png --strategy tiles
contains "names the choices" "crop, resize or original"
expect 0 "alpha as the mask" "${run[@]}" photo_alpha.png --mask alpha -o out_alpha.png
contains "400 transparent pixels filled" "400 pixels filled"
expect 1 "alpha of an image without one" "${run[@]}" photo.png --mask alpha -o x.png
contains "says there is no alpha" "no alpha channel"

# Bad masks: another size, not an image, missing, empty, everything.
expect 1 "mask of another size" "${run[@]}" photo.png --mask mask_small.png -o x.png
contains "names the mask's size" "100x75"
contains "and the image's" "200x150"
contains "and the way out" "--resize-mask"
absent "nothing written for a refused mask" x.png
expect 0 "--resize-mask scales it" "${run[@]}" photo.png --mask mask_small.png -o out_resized.png --resize-mask
contains "150 pixels of the half-size box, doubled" "600 pixels filled"
expect 1 "mask not an image" "${run[@]}" photo.png --mask notimage.png -o x.png
contains "names the mask" "notimage.png"
expect 1 "mask missing" "${run[@]}" photo.png --mask nope.png -o x.png
contains "names the missing mask" "nope.png"
expect 0 "empty mask: nothing to do" "${run[@]}" photo.png --mask mask_empty.png -o out_empty.png
contains "says nothing to do" "nothing to do"
absent "and writes nothing" out_empty.png
expect 0 "--write-unchanged writes it anyway" "${run[@]}" photo.png --mask mask_empty.png -o out_empty.png --write-unchanged
present "unchanged copy written" out_empty.png
expect 1 "all-white mask with a classical method" "${run[@]}" photo.png --mask mask_full.png -o x.png
contains "explains why" "covers the whole image"
expect 1 "image not an image" "${run[@]}" notimage.png --mask mask.png -o x.png
expect 2 "no --mask" "${run[@]}" photo.png -o x.png
expect 2 "output over the input refused" "${run[@]}" photo.png --mask mask.png -o photo.png
expect 2 "existing output refused" "${run[@]}" photo.png --mask mask.png -o out_telea.png
expect 2 "unknown option" "${run[@]}" photo.png --mask mask.png -o x.png --frobnicate
expect 1 "a style model is not an inpainter" "${run[@]}" photo.png --mask mask.png -o x.png --model classic

# Folders: masks matched by name, one mask for all, resumable.
expect 2 "a folder with an image lacking a mask" "${run[@]}" in --mask masks -o out_dir
contains "names the image without a mask" "c.png"
rm in/c.png
expect 0 "masks matched by name" "${run[@]}" in --mask masks -o out_dir
contains "summary" '"total":2,"ok":2,"failed":0'
same_outside "folder output keeps outside pixels" out_dir/a.png in/a.png masks/a.png
expect 0 "resumable" "${run[@]}" in --mask masks -o out_dir --skip-existing
contains "nothing left" '"skipped_existing":2'
expect 0 "one mask for the whole folder" "${run[@]}" in --mask mask.png -o out_one
contains "both done" '"total":2,"ok":2'
expect 1 "empty mask in a folder fails that image" "${run[@]}" in --mask mask_empty.png -o out_empty_dir
contains "and says why" "nothing to do"
expect 0 "folder --write-unchanged" "${run[@]}" in --mask mask_empty.png -o out_empty_dir2 --write-unchanged
expect 1 "missing mask folder" "${run[@]}" in --mask nowhere -o out_x

# A network through the adapter (needs python3-onnx to build a tiny one).
onnxpy=""
for py in /usr/bin/python3 python3; do "$py" -c 'import onnx' 2>/dev/null && { onnxpy=$py; break; }; done
if [ -n "$onnxpy" ]; then
  mkdir nets && "$onnxpy" "$here/../oracles/inpaint_tiny_nets.py" nets
  expect 2 "an unknown network needs its mask convention (a flag to add)" "${run[@]}" photo.png --mask mask.png -o x.png --model nets/lama_dynamic.onnx
  contains "says which flag" "--mask-convention"
  expect 0 "import with the convention" "$toonbox" models import nets/lama_dynamic.onnx --name tiny-lama --mask-convention lama --range 0,1
  expect 0 "models info" "$toonbox" models info tiny-lama
  contains "role inpainter" "role: inpainter"
  contains "mask convention shown" "mask 1 = remove, 0 = keep"
  expect 0 "inpaint with the installed network" "${run[@]}" photo.png --mask mask.png -o out_net.png --model tiny-lama --device cpu
  contains "inputs described" "image and mask inputs, any size"
  same_outside "network output keeps outside pixels" out_net.png photo.png mask.png
  expect 1 "an inpainter is not a style" "$toonbox" cartoonize photo.png -o x.png --model tiny-lama --device cpu
  contains "says where it belongs" "toonbox inpaint"
else
  echo "skip - network tests (python3-onnx not importable)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
