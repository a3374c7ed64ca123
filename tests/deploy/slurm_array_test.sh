#!/usr/bin/env bash
# deploy/slurm/toonbox-array.sbatch on a real Slurm (Debian's slurm-wlm, a controller and
# a node on this machine): a 4-task array over a folder, one task cancelled mid-run and
# resubmitted alone; every image must be produced exactly once, and folder-status must
# see the gap and then none. Skips (exit 77) when the daemons cannot run here.
# usage: slurm_array_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../cli/lib.sh"
. "$here/slurm_lib.sh"
trap 'slurm_down; rm -rf "$work"' EXIT
if ! slurm_up "$work/cluster" "$((16000 + RANDOM % 2000 * 2))" >slurm_up.log 2>&1; then
  echo "SKIP: no Slurm here: $(tail -1 slurm_up.log)"
  exit 77
fi
echo "slurm: $(sinfo -h -o '%P %D %T %c CPUs' | head -1)"

python3 "$repo/tests/cli/make_folder_fixtures.py" in 24 --sizes 64x48
mkdir logs
# Slow each image down (250 ms a device call) so a task can be cancelled mid-run; the
# variables reach the tasks through sbatch's default --export=ALL.
export TOONBOX="$toonbox" TOONBOX_TEST_DEVICE_FAULTS="0:delay=250" OMP_WAIT_POLICY=passive
script="$repo/deploy/slurm/toonbox-array.sbatch"
submit() { sbatch --parsable --chdir "$work" -o "$work/logs/task-%A_%a.out" "$@" "$script" in out --model classic --device cpu; }
wait_job() {  # JOBID: until it has left the queue
  local i
  for i in $(seq 1 600); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  return 1
}
ok_lines() { cat logs/*.out 2>/dev/null | grep '"ok":true' | grep -o '"output":"[^"]*"' | sort; }

job=$(submit --array=0-3)
[ -n "$job" ] && ok "4-task array submitted (job $job)" || bad "sbatch failed"
# Cancel task 2 once it has written at least one image but not all of its share.
log2="logs/task-${job}_2.out"
for i in $(seq 1 600); do
  [ -f "$log2" ] && grep -q '"ok":true' "$log2" && break
  sleep 0.1
done
scancel "${job}_2"
wait_job "$job" && ok "array finished" || bad "array still queued: $(squeue)"
# Counted after the task ended: on SIGTERM it still writes the image it had computed.
cancelled_with=$(grep -c '"ok":true' "$log2" 2>/dev/null)
expect 1 "folder-status sees the cancelled shard's gap" "$toonbox" folder-status out --json
python3 - "$cancelled_with" <<'PY' && ok "only shard 2 has images missing" || bad "missing: $(head -c 600 log)"
import json, sys
s = json.load(open("log"))
gaps = {p["shard"]: len(p["missing"]) for p in s["per_shard"] if p["missing"]}
sys.exit(0 if list(gaps) == [2] and s["shards"] == 4 and s["expected"] == 24 else 1)
PY
state=$(python3 -c 'import json; print(json.load(open("out/.toonbox-shards/shard-2-of-4.json"))["state"])')
echo "      (task 2 had written $cancelled_with image(s) when cancelled; its record says '$state')"
[ "$state" = interrupted ] && ok "the cancelled task recorded itself as interrupted (SIGTERM drained)" \
                          || bad "shard 2 record state '$state'"

# Resubmit task 2 alone: the array's size must be named.
job2=$(TOONBOX_SHARD_COUNT=4 submit --array=2)
wait_job "$job2" && ok "resubmitted task finished" || bad "resubmitted task still queued"
grep -q '"shard":"2/4"' "logs/task-${job2}_2.out" && ok "resubmitted task ran shard 2/4" || bad "resubmission: $(tail -2 logs/task-${job2}_2.out)"
redone=$(grep -c '"ok":true' "logs/task-${job2}_2.out")
skipped=$(grep -o '"skipped_existing":[0-9]*' "logs/task-${job2}_2.out" | cut -d: -f2)
[ "$skipped" = "$cancelled_with" ] && ok "the resubmission skipped the $skipped image(s) already written" \
                                   || bad "skipped $skipped, task 2 had written $cancelled_with"
expect 0 "folder-status: complete" "$toonbox" folder-status out
contains "all 24" "24 of 24 images done in 4 shards"
n_lines=$(ok_lines | wc -l)
n_unique=$(ok_lines | uniq | wc -l)
[ "$n_lines" = 24 ] && [ "$n_unique" = 24 ] && ok "every image produced exactly once over all tasks ($n_lines writes)" \
                                          || bad "$n_lines writes of $n_unique images"
n_files=$(find out -name '*.png' -not -path '*/.*' | wc -l)
[ "$n_files" = 24 ] && ok "24 outputs on disk" || bad "$n_files outputs on disk"
n_tmp=$(find out -name '.*.tmp' | wc -l)
[ "$n_tmp" = 0 ] && ok "no temporary files left" || bad "$n_tmp temporary files left"
for k in 0 1 3; do
  grep -q '"shard":"'$k'/4"' "logs/task-${job}_$k.out" && ok "task $k ran shard $k/4" || bad "task $k: $(tail -1 logs/task-${job}_$k.out)"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
