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
. "$here/lib.sh"
run=("$toonbox" cartoonize --model classic --device cpu --json)

# 40 images in three sizes, so both batch sizes below group some of them.
python3 "$here/make_folder_fixtures.py" in 40 --sizes 160x120,120x160,128x128

"${run[@]}" in -o ref >ref.log 2>&1 && ok "clean reference run" || bad "clean reference run"

# Kill at random moments: each run is killed once the outputs reach a random count a
# little above what exists (0 more: during start-up or the model load), plus a random
# 0..29 ms, so kills land anywhere in a run; batch sizes alternate so a kill also lands
# between a batch's device call and its writes. A fast machine may finish the folder
# before a kill lands; then a random half of the outputs is deleted (a user clearing some
# results and resuming is a case too) and the kills go on, until $kills have landed
# mid-run. Whether a kill lands therefore never depends on the machine's speed.
seed=${TOONBOX_TEST_SEED:-$$}
RANDOM=$seed
echo "#    seed $seed (set TOONBOX_TEST_SEED to repeat)"
count() { find out -maxdepth 1 -name '*.png' 2>/dev/null | wc -l; }
killed_mid_run=0 runs=0
while [ "$killed_mid_run" -lt "$kills" ] && [ "$runs" -lt $((kills * 5)) ]; do
  runs=$((runs + 1))
  have=$(count)
  if [ "$have" -ge 39 ]; then
    for f in out/*.png; do [ $((RANDOM % 2)) = 0 ] && rm -f "$f"; done
    echo "#    folder finished between kills; deleted outputs, $(count) left"
    have=$(count)
  fi
  # Steps average half the outputs left per kill left, spreading kills over the folder.
  step=$((RANDOM % (2 * (39 - have) / (kills - killed_mid_run) + 1)))
  target=$((have + (step < 39 - have ? step : 39 - have)))
  "${run[@]}" in -o out --skip-existing --batch-size $((1 + runs % 2 * 2)) >/dev/null 2>&1 &
  pid=$!
  while [ "$(count)" -lt "$target" ] && kill -0 $pid 2>/dev/null; do sleep 0.005; done
  sleep "$(printf 0.%03d $((RANDOM % 30)))"
  kill -KILL $pid 2>/dev/null
  # 137 = died of SIGKILL; a run that had already exited (a zombie still takes the
  # signal without complaint) returned its own status instead.
  wait $pid 2>/dev/null
  [ $? = 137 ] && killed_mid_run=$((killed_mid_run + 1))
  echo "#    run $runs killed at >= $target outputs: $(count) outputs, $(find out -name '.*.tmp' 2>/dev/null | wc -l) temp files"
done
[ "$killed_mid_run" -ge "$kills" ] && ok "$killed_mid_run runs killed mid-way (of $runs)" \
  || bad "only $killed_mid_run of $runs runs killed mid-way"

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
