#!/usr/bin/env bash
# End-to-end tests of folders on several devices and in shards (docs/scaling.md):
# --device cpu,cpu (two CPU workers behind one queue), a worker failing mid-run through
# the TOONBOX_TEST_DEVICE_FAULTS hook, --shard K/N and the job-array variables, the shard records
# and `toonbox folder-status`.
# usage: folder_scale_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
count_is() { local n; n=$(grep -c -- "$2" log); if [ "$n" = "$3" ]; then ok "$1"; else bad "$1: $n lines match '$2', expected $3"; fi; }
pngs_in() { find "$1" -name '*.png' -not -path '*/.*' | sed "s|^$1/||" | sort | tr '\n' ' '; }
run=("$toonbox" cartoonize --model classic)
# Two CPU workers share 2 cores here: spinning OpenMP threads (the default policy) made a
# 12-image run take 55 s under load instead of 1 s (docs/cli.md, Throughput).
export OMP_WAIT_POLICY=passive
unset JOB_COMPLETION_INDEX SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_MAX \
  TOONBOX_SHARD_COUNT TOONBOX_TEST_DEVICE_FAULTS

python3 "$here/make_folder_fixtures.py" in 12 --sizes 64x48
all=$(cd in && ls *.png | tr '\n' ' ')

# Two CPU workers, one queue: every image once, both named in the summary.
expect 0 "--device cpu,cpu" "${run[@]}" --device cpu,cpu in -o two
count_is "one ok line per image" '"ok":true' 12
contains "per-device summary" '"devices":\[{"device":"cpu#1","images":'
contains "second worker listed" '{"device":"cpu#2","images":'
[ "$(pngs_in two)" = "$all" ] && ok "every output written once" || bad "outputs: $(pngs_in two)"
n=$(python3 -c '
import json
lines = [json.loads(l) for l in open("log") if l.startswith("{")]
s = lines[-1]
per = {d["device"]: d["images"] for d in s["devices"]}
made = {}
for l in lines[:-1]: made[l["device"]] = made.get(l["device"], 0) + 1
print("ok" if per == made and sum(per.values()) == 12 else f"{per} {made}")')
[ "$n" = ok ] && ok "per-device counts match the per-image lines" || bad "per-device counts: $n"

# A worker that is lost mid-run: out of rotation, its images done by the other, once each.
expect 0 "a device lost mid-run" env TOONBOX_TEST_DEVICE_FAULTS=1:fail-after=2 "${run[@]}" --device cpu,cpu in -o lost
count_is "every image still written" '"ok":true' 12
contains "the user is told" "cpu#2 taken out of rotation: TOONBOX_TEST_DEVICE_FAULTS made device cpu#2 fail after 2 calls (device lost); its images go to the 1 other device"
contains "the summary says why" '"retired":"TOONBOX_TEST_DEVICE_FAULTS made device cpu#2'
[ "$(pngs_in lost)" = "$all" ] && ok "no output missing or doubled" || bad "outputs: $(pngs_in lost)"
expect 1 "every device lost" env 'TOONBOX_TEST_DEVICE_FAULTS=*:fail-after=1' "${run[@]}" --device cpu,cpu in -o gone
contains "the rest fail with the device's error" '"code":"unavailable"'
contains "counted" '"ok":2,"failed":10'
expect 2 "a bad hook rule is refused" env TOONBOX_TEST_DEVICE_FAULTS=5:delay=1 "${run[@]}" --device cpu,cpu in -o hook_x

# Device lists that cannot work.
expect 2 "a GPU named twice" "${run[@]}" --device cuda:0,cuda:0 in -o x1
contains "says which" "names cuda:0 twice"
expect 2 "auto in a list" "${run[@]}" --device cpu,auto in -o x2
# serve takes the same lists (tests/serve and tests/unit/server_devices_test.cc run it);
# a bad one is refused before it listens.
expect 2 "serve checks its device list" "$toonbox" serve --port 0 --device cpu,auto
contains "and says why" "auto stands alone"
if ! "$toonbox" doctor >/dev/null 2>&1; then
  expect 1 "cuda:all without a GPU" "${run[@]}" --device cuda:all in -o x3
  contains "names the failing layer" "cuda:all"
fi

# Shards: three runs, each its share; together every image once; a record per shard.
for k in 0 1 2; do
  expect 0 "--shard $k/3" "${run[@]}" --device cpu in -o sh --shard $k/3
  cp log "shard$k.log"
done
total=$(cat shard0.log shard1.log shard2.log | grep -c '"ok":true')
[ "$total" = 12 ] && ok "the shards together did each image once" || bad "shards wrote $total images"
[ "$(pngs_in sh)" = "$all" ] && ok "every output exists" || bad "outputs: $(pngs_in sh)"
empty=0; for k in 0 1 2; do grep -q '"total":0' "shard$k.log" && empty=1; done
[ "$empty" = 0 ] && ok "no shard was empty (12 images, 3 shards)" || bad "a shard got nothing"
[ -f sh/.toonbox-shards/shard-1-of-3.json ] && ok "shard record written" || bad "no shard record"
contains "summary says the shard" '"shard":"2/3"'
expect 0 "folder-status: complete" "$toonbox" folder-status sh
contains "counts" "12 of 12 images done in 3 shards"
contains "per shard" "shard 2/3: "
contains "last state" "last run done on "

# A lost output: folder-status names it; rerunning its shard with --skip-existing redoes only it.
victim=img007
rm "sh/$victim.png"
expect 1 "folder-status: missing" "$toonbox" folder-status sh
contains "names the missing input" "missing: $victim.png"
expect 1 "folder-status --json" "$toonbox" folder-status sh --json
contains "json missing count" '"missing": 1'
k=$(python3 -c 'import json; s=json.load(open("log")); print([p["shard"] for p in s["per_shard"] if p["missing"]][0])')
expect 0 "resume that shard" "${run[@]}" --device cpu in -o sh --shard "$k/3" --skip-existing
count_is "only the missing image redone" '"ok":true' 1
contains "it is the one" "\"output\":\"sh/$victim.png\""
expect 0 "folder-status: complete again" "$toonbox" folder-status sh

# The job arrays' variables, when --shard is not given.
expect 0 "JOB_COMPLETION_INDEX + TOONBOX_SHARD_COUNT" env JOB_COMPLETION_INDEX=1 TOONBOX_SHARD_COUNT=3 \
  "${run[@]}" --device cpu in -o env_k8s
contains "shard from the Indexed Job" '"shard":"1/3"'
diff <(grep -o '"output":"[^"]*"' log | sed 's|env_k8s|sh|' | sort) \
     <(grep -o '"output":"[^"]*"' shard1.log | sort) >/dev/null && ok "same images as --shard 1/3" || bad "env shard differs from --shard 1/3"
expect 2 "JOB_COMPLETION_INDEX without a count" env JOB_COMPLETION_INDEX=1 "${run[@]}" --device cpu in -o env_x
contains "says what to set" "TOONBOX_SHARD_COUNT"
expect 0 "SLURM_ARRAY_TASK_ID of a 0..2 array" env SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=0 \
  SLURM_ARRAY_TASK_MAX=2 "${run[@]}" --device cpu in -o env_slurm
contains "shard from Slurm" '"shard":"2/3"'
expect 2 "a resubmitted task (--array=2) is not shard 0 of 1" env SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=1 \
  SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_MAX=2 "${run[@]}" --device cpu in -o env_x
contains "explains" "is not 0..N-1"
expect 2 "--shard out of range" "${run[@]}" in -o x4 --shard 3/3
expect 2 "--shard malformed" "${run[@]}" in -o x5 --shard 1of3
expect 2 "--shard on one image" "${run[@]}" in/img000.png -o x6.png --shard 0/2
expect 1 "folder-status without records" "$toonbox" folder-status two
contains "says where records come from" "--shard K/N"
expect 2 "folder-status usage" "$toonbox" folder-status

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
