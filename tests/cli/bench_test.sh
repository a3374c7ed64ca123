#!/usr/bin/env bash
# `toonbox bench` end to end on this machine, with the built-in style at 64 px so the
# whole script stays within ~30 s on 2 cores: the JSON checked field by field, the
# Markdown table, unavailable configurations explained while the rest is produced,
# exit codes, and --compare against an injected regression and an injected improvement.
# usage: bench_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

small=(--model classic --sizes 64 --runs 2 --pipeline-images 4)

# One CPU configuration at batch 1 and 2: every figure, the reference and agreement.
"$toonbox" bench "${small[@]}" --device cpu --batch 1,2 --cpu-batch 1,2 --json r1.json --markdown r1.md \
  >stdout.txt 2>stderr.txt
rc=$?
cp stderr.txt log
if [ "$rc" = 0 ]; then ok "bench on the CPU exits 0"; else bad "bench on the CPU exits 0 (exit $rc)"; fi
contains "progress line on stderr" "\[2/2\] cartoonize classic cpu fp32 64x64 batch 2: warm"
if cmp -s stdout.txt r1.md; then ok "the Markdown on stdout is the --markdown file"; else bad "stdout and --markdown differ"; fi
cp r1.md log
contains "Markdown has the table header" "| model | device | precision | size | batch | time per image |"
contains "Markdown has the reference row" "| classic | cpu | fp32 | 64² | 1 |"
contains "Markdown has the batch row" "| classic | cpu | fp32 | 64² | 2 |"
contains "Markdown names the machine" "Machine: "
contains "Markdown has pipeline mode" "## Pipeline mode"
if python3 "$here/check_bench_json.py" r1.json 2 >log 2>&1; then ok "JSON has every field, with sane values"; else bad "JSON fields"; fi

# An unknown model and an absent GPU: explained per configuration, the rest produced.
"$toonbox" bench "${small[@]}" --model nosuchmodel --device cpu,cuda --precision fp32 --no-pipeline \
  --json r2.json >r2.md 2>log
rc=$?
if [ "$rc" = 0 ]; then ok "unavailable configurations keep exit 0"; else bad "unavailable configurations keep exit 0 (exit $rc)"; fi
contains "progress says the unknown model is unavailable" "nosuchmodel cpu fp32 64x64 batch 1: unavailable"
if python3 - r2.json <<'PY' >log 2>&1; then ok "JSON explains each unavailable row"; else bad "JSON explains each unavailable row"; fi
import json, sys
rows = {r["key"]: r for r in json.load(open(sys.argv[1]))["results"]}
assert rows["cartoonize/classic/cpu/fp32/64/b1"]["outcome"] == "ok", rows.keys()
unknown = rows["cartoonize/nosuchmodel/cpu/fp32/64/b1"]
assert unknown["outcome"] == "unavailable" and "nosuchmodel" in unknown["error"], unknown
cuda = rows["cartoonize/classic/cuda:0/fp32/64/b1"]
if cuda["outcome"] == "ok":   # a GPU machine: then it must agree with the CPU
    assert cuda["agreement"]["measured"] and cuda["agreement"]["pass"], cuda["agreement"]
else:
    assert cuda["outcome"] == "unavailable" and "device cuda:0 cannot be used" in cuda["error"], cuda
    assert cuda["warm_ms"] is None and cuda["cold_start"] is None
PY
cp r2.md log
contains "Markdown lists what was not measured" "## Not measured"
contains "the unknown model's row says why" "nosuchmodel cpu fp32 64x64 batch 1 (unavailable)"

expect 1 "nothing that can run exits 1" "$toonbox" bench --model nosuchmodel --sizes 64 --device cpu --no-cold-start --no-pipeline
expect 2 "--sizes 0 refused" "$toonbox" bench --sizes 0
contains "size range explained" "--sizes: '0' is not an integer in 16..8192"
expect 2 "unknown task refused" "$toonbox" bench --task paint
contains "tasks listed" "(cartoonize, run, upscale, inpaint, restore)"
expect 2 "unknown precision refused" "$toonbox" bench --precision fp8 --device cpu
expect 2 "bad device refused" "$toonbox" bench --device gpu0
expect 2 "--json into a missing folder refused before work" "$toonbox" bench --json nowhere/r.json
expect 1 "a bad baseline refused before work" "$toonbox" bench --compare r1.md --device cpu
contains "bad baseline explained" "not valid JSON"

# --compare: a baseline 4x faster than this run is a regression (exit 3); one 100x slower
# is not. Both are this run's own JSON with the times scaled, so noise cannot decide.
python3 - r1.json <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
def scaled(f):
    k = json.loads(json.dumps(j))
    for r in k["results"]:
        for s in r["warm_ms"].values():
            for q in ("median", "p90", "min", "max", "mean"): s[q] *= f
        r["compile_ms"] *= f
        r["cold_start"]["to_output_ms"] *= f
        r["pipeline"]["images_per_s"] /= f
    return k
json.dump(scaled(0.25), open("faster.json", "w"))
json.dump(scaled(100), open("slower.json", "w"))
PY
expect 3 "--compare flags a regression (exit 3)" "$toonbox" bench "${small[@]}" --device cpu --compare faster.json
contains "regression named" "**REGRESSION**"
contains "ratio shown" "warm_wall_ms"
expect 0 "--compare passes when nothing got slower" "$toonbox" bench "${small[@]}" --device cpu --compare slower.json
contains "no regression said" "No regression beyond the measured noise"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
