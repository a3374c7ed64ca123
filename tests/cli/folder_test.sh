#!/usr/bin/env bash
# End-to-end tests of folder mode: toonbox cartoonize DIR -o OUTDIR, as a user runs it.
# usage: folder_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lacks() { if ! grep -q -- "$2" log; then ok "$1"; else bad "$1: output has '$2'"; fi; }
count_is() { local n; n=$(grep -c -- "$2" log); if [ "$n" = "$3" ]; then ok "$1"; else bad "$1: $n lines match '$2', expected $3"; fi; }
files_are() {  # description dir expected-list (sorted, relative, hidden included)
  local got; got=$(cd "$2" 2>/dev/null && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
  if [ "$got" = "$3" ]; then ok "$1"; else bad "$1: got '$got', expected '$3'"; fi
}
run=("$toonbox" cartoonize --model classic --device cpu)

python3 "$here/make_folder_fixtures.py" in 6

# A plain folder run: JSON lines when stdout is not a terminal, one per image + summary.
expect 0 "folder run" "${run[@]}" in -o out
count_is "one ok line per image" '"ok":true' 6
contains "summary line" '"summary":true'
contains "summary counts" '"total":6,"ok":6,"failed":0'
count_is "each line says the mode used" '"mode":"whole"' 6
contains "and why (no detector installed)" 'no face detector installed'
files_are "one output per input" out "img000.png img001.png img002.png img003.png img004.png img005.png "
expect 0 "an output decodes" "${run[@]}" out/img001.png -o single.png --json
contains "output has the input's height" '"height":64'
contains "output has the input's width" '"width":48'

# Rerunning: existing outputs are refused unless resuming or replacing.
expect 2 "existing outputs refused" "${run[@]}" in -o out
contains "refusal says how to resume" "--skip-existing"
expect 0 "--skip-existing resumes (nothing left)" "${run[@]}" in -o out --skip-existing
contains "skipped ones counted" '"skipped_existing":6'
contains "no model loaded for no work" '"total":0'
expect 0 "--overwrite redoes them" "${run[@]}" in -o out --overwrite
count_is "all redone" '"ok":true' 6
expect 2 "--skip-existing with --overwrite" "${run[@]}" in -o out --skip-existing --overwrite

# Batching: same-size images go to the device together.
expect 0 "--batch-size 3" "${run[@]}" in -o out_b --batch-size 3 --max-pixels 100000
contains "batch size reported" '"batch_size":3'
contains "device calls grouped" '"device_calls":{"[23]"'
lacks "never a mixed-size call" '"device_calls":{"1":6}'
expect 2 "bad --batch-size" "${run[@]}" in -o out_x --batch-size 0
expect 2 "bad --format" "${run[@]}" in -o out_x --format gif

# Image options mean for each image of a folder what they mean for one: --tile reaches
# every image, one at a time or in a batch (it was once parsed and then dropped).
python3 "$here/make_folder_fixtures.py" big 2 --sizes 200x150
expect 0 "--tile in a folder" "${run[@]}" big -o out_tile --tile 70
count_is "--tile reached each image" 'tile size 70 adjusted to' 2
expect 0 "--tile in a folder, batched" "${run[@]}" big -o out_tile_b --tile 70 --batch-size 2
count_is "--tile reached each image of the batch" 'tile size 70 adjusted to' 2

# Output format.
expect 0 "--format jpg" "${run[@]}" in -o out_jpg --format jpg --quality 80
files_are "jpg outputs" out_jpg "img000.jpg img001.jpg img002.jpg img003.jpg img004.jpg img005.jpg "

# A bad file is recorded, the rest goes on, the exit code says so.
mkdir -p bad && cp in/img000.png in/img001.png in/img002.png bad/
printf 'not an image' >bad/img001b.png
: >bad/empty.jpg
head -c 100 in/img003.png >bad/truncated.png
expect 1 "failures give exit 1" "${run[@]}" bad -o out_bad
contains "failures counted" '"ok":3,"failed":3'
count_is "failure lines" '"ok":false' 3
contains "failure names the file" '"input":"bad/empty.jpg","output":"out_bad/empty.png","ok":false'
contains "summary lists failures" '"failures":\[{"input":"bad/'
contains "stderr counts failures" "3 of 6 images failed"
files_are "only good outputs" out_bad "img000.png img001.png img002.png "

# Human summary on a terminal: progress bar, speed, and the failures with reasons.
if script -qec "true" /dev/null >/dev/null 2>&1; then
  script -qec "$(printf '%q ' "${run[@]}" bad -o out_tty)" /dev/null >log 2>&1
  contains "progress bar on a terminal" "img/s"
  contains "ETA shown" "ETA"
  contains "human summary" "3 of 6 images written to out_tty, 3 failed"
  contains "failure reason listed" "bad/truncated.png"
  contains "stage busy times" "stage busy: decode"
else
  echo "skip - terminal output: script(1) not usable"
fi

# --recursive mirrors the tree; without it subfolders are ignored.
mkdir -p tree/a/b && python3 "$here/make_folder_fixtures.py" tree 1 && python3 "$here/make_folder_fixtures.py" tree/a/b 2 --prefix deep
expect 0 "not recursive" "${run[@]}" tree -o out_flat
files_are "subfolders ignored" out_flat "img000.png "
expect 0 "--recursive" "${run[@]}" tree -o out_tree --recursive
files_are "tree mirrored" out_tree "a/b/deep000.png a/b/deep001.png img000.png "

# Collisions are found before any work and nothing is created.
mkdir -p coll && cp in/img000.png coll/a.png && "$toonbox" cartoonize --model classic --device cpu in/img001.png -o coll/a.jpg >/dev/null 2>&1
expect 2 "name collision refused" "${run[@]}" coll -o out_coll
contains "collision listed" "a.png <- a.jpg, a.png"
[ ! -e out_coll ] && ok "nothing created on a collision" || bad "nothing created on a collision"
expect 2 "collision with any format" "${run[@]}" coll -o out_coll --format webp

# Output folder inside the input tree, or the input folder itself.
expect 2 "OUTDIR = input refused" "${run[@]}" in -o in
expect 2 "OUTDIR inside input refused" "${run[@]}" in -o in/cartoons
contains "refusal names the flag" "--allow-inside"
cp -r in in2
expect 0 "--allow-inside" "${run[@]}" in2 -o in2/cartoons --recursive --allow-inside
count_is "outputs not taken as inputs" '"ok":true' 6
expect 0 "--allow-inside rerun skips OUTDIR" "${run[@]}" in2 -o in2/cartoons --recursive --skip-existing --allow-inside
contains "still six done, none new" '"skipped_existing":6'

# A stale temporary file of a killed run is removed; other hidden files are not.
sleep 30 & deadpid=$!; kill -9 $deadpid; wait $deadpid 2>/dev/null
printf 'partial' >"out/.img009.png.toonbox-$deadpid-0123456789abcdef.tmp"
printf 'mine' >out/.notes.tmp
expect 0 "resume cleans stale temps" "${run[@]}" in -o out --skip-existing
[ ! -e "out/.img009.png.toonbox-$deadpid-0123456789abcdef.tmp" ] && ok "stale temp removed" || bad "stale temp removed"
[ -e out/.notes.tmp ] && ok "other hidden files kept" || bad "other hidden files kept"

# SIGTERM: stops taking work, finishes writes, says how to resume, leaves no temp files.
python3 "$here/make_folder_fixtures.py" many 60 --sizes 160x120
"${run[@]}" many -o out_term --json >log 2>&1 &
pid=$!
for _ in $(seq 100); do [ "$(ls out_term 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.05; done
kill -TERM $pid; wait $pid; got=$?
if [ "$got" = 143 ] || [ "$got" = 0 ]; then ok "SIGTERM exit ($got)"; else bad "SIGTERM exit ($got, expected 143)"; fi
if [ "$got" = 143 ]; then contains "interruption explained" "interrupted by signal 15"; fi
if [ -z "$(find out_term -name '.*.tmp')" ]; then ok "no temp files after SIGTERM"; else bad "no temp files after SIGTERM"; fi
expect 0 "resume after SIGTERM" "${run[@]}" many -o out_term --skip-existing
[ "$(ls out_term | wc -l)" = 60 ] && ok "all 60 done after resume" || bad "all 60 done after resume"

# A file name that is not UTF-8 (byte 0xFF) must not abort the run (issue 18: nlohmann's
# dump() threw and the process died with SIGABRT): the name is escaped in the JSON, the
# other images are processed and the summary is written, in folder mode and with --json.
mkdir -p odd
cp in/img000.png "odd/$(printf 'bad\377name').png"
cp in/img001.png odd/fine.png
for mode in lines json; do
  extra=(); [ "$mode" = json ] && extra=(--json)
  rm -rf out_odd
  expect 0 "non-UTF-8 file name ($mode)" "${run[@]}" odd -o out_odd "${extra[@]}"
  contains "non-UTF-8 name: summary written ($mode)" '"total":2,"ok":2,"failed":0'
  if python3 -c 'import json,sys; [json.loads(l) for l in open("log", encoding="utf-8") if l.startswith("{")]' 2>/dev/null; then
    ok "non-UTF-8 name: every line is valid JSON ($mode)"
  else
    bad "non-UTF-8 name: every line is valid JSON ($mode)"
  fi
  n=$(find out_odd -type f -name '*.png' | wc -l)
  [ "$n" = 2 ] && ok "non-UTF-8 name: both outputs written ($mode)" || bad "non-UTF-8 name: $n outputs ($mode)"
done
expect 0 "non-UTF-8 single file with --json" "${run[@]}" "odd/$(printf 'bad\377name').png" -o odd_single.png --json
contains "single file: JSON written" '"ok":true'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
