#!/usr/bin/env bash
# Folder mode survives SIGKILL at any moment: kill a run at random times, resume with
# --skip-existing until done; then every output exists exactly once, is byte-identical to
# a clean run's (CPU results are deterministic, so a partial or mixed-up file shows), and
# no temporary file is left.
# usage: folder_resume_test.sh TOONBOX_BINARY [KILLS]
set -uo pipefail
toonbox=$(realpath "$1")
kills=${2:-6}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TOONBOX_MODELS="$work/models"
cd "$work"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
run=("$toonbox" cartoonize --model classic --device cpu --json)

# 40 images in three sizes, so both batch sizes below group some of them.
python3 "$here/make_folder_fixtures.py" in 40 --sizes 160x120,120x160,128x128

start=$(date +%s%N)
"${run[@]}" in -o ref >ref.log 2>&1 && ok "clean reference run" || bad "clean reference run"
clean_ms=$((($(date +%s%N) - start) / 1000000))
echo "#    clean run: ${clean_ms} ms"

# Kill at random moments spread over a whole run (model load included), alternating
# batch sizes so a kill also lands between a batch's device call and its writes.
seed=${TOONBOX_TEST_SEED:-$$}
RANDOM=$seed
echo "#    seed $seed (set TOONBOX_TEST_SEED to repeat)"
killed_mid_run=0
for i in $(seq "$kills"); do
  # Over the time the remaining images should take, so later kills still land mid-run.
  left=$((40 - $(ls out 2>/dev/null | wc -l)))
  delay_ms=$((clean_ms * (RANDOM % 1000) / 1000 * (left + 4) / 44))
  delay=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))
  "${run[@]}" in -o out --skip-existing --batch-size $((1 + i % 2 * 2)) >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -KILL $pid 2>/dev/null; then killed_mid_run=$((killed_mid_run + 1)); fi
  wait $pid 2>/dev/null
  echo "#    kill $i after ${delay}s: $(ls out 2>/dev/null | wc -l) outputs, $(find out -name '.*.tmp' 2>/dev/null | wc -l) temp files"
done
[ "$killed_mid_run" -gt 0 ] && ok "$killed_mid_run runs killed mid-way" || bad "no run was killed mid-way (too fast?)"

finished=0
for attempt in 1 2 3; do
  if "${run[@]}" in -o out --skip-existing >resume.log 2>&1; then finished=1; break; fi
done
[ "$finished" = 1 ] && ok "resume finishes with exit 0" || { bad "resume finishes with exit 0"; tail -3 resume.log; }

n=$(ls out | wc -l)
[ "$n" = 40 ] && ok "40 outputs, none duplicated or missing" || bad "40 outputs (got $n)"
[ "$(ls out)" = "$(ls ref)" ] && ok "same names as the clean run" || bad "same names as the clean run"
same=0
for f in ref/*.png; do cmp -s "$f" "out/$(basename "$f")" && same=$((same + 1)); done
[ "$same" = 40 ] && ok "every output byte-identical to the clean run" || bad "byte-identical ($same of 40)"
temps=$(find out -name '.*' -type f | wc -l)
[ "$temps" = 0 ] && ok "no temporary files left" || bad "$temps temporary files left"
# Decodes completely: feed one resumed output back through toonbox.
"$toonbox" cartoonize --model classic --device cpu "out/$(ls out | tail -1)" -o check.png >/dev/null 2>&1 \
  && ok "a resumed output decodes" || bad "a resumed output decodes"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
