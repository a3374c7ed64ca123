#!/usr/bin/env bash
# Folder-mode throughput: N photos through `toonbox cartoonize DIR -o OUTDIR`, images/s.
#
# usage: tools/bench_folder.sh [-n N] [--src DIR] [--input DIR] [--keep] [TOONBOX OPTIONS...]
#   -n N         photos to generate (default 200): copies of the photos in --src, cycled,
#                so the folder mixes sizes (and has same-size runs for batching)
#   --src DIR    where the photos come from (default ../shared/images; never committed)
#   --input DIR  use this folder as it is instead of generating one
#   --keep       keep the temporary folder (printed) for inspection
# Every other argument goes to toonbox, e.g.  --device cpu --model classic --batch-size 2
# The binary is $TOONBOX, else $TOONBOX_BUILD_DIR/src/cli/toonbox (default build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
toonbox=${TOONBOX:-$root/${TOONBOX_BUILD_DIR:-build}/src/cli/toonbox}
n=200 src=$root/../shared/images input="" keep=0 opts=()
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    --src) src=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) opts+=("$1"); shift ;;
  esac
done
[ -x "$toonbox" ] || { echo "bench_folder: $toonbox not built" >&2; exit 2; }
work=$(mktemp -d)
[ "$keep" = 1 ] && echo "bench_folder: keeping $work" || trap 'rm -rf "$work"' EXIT

if [ -z "$input" ]; then
  input=$work/in
  mkdir -p "$input"
  # Photos only: the inpainting mask is not one.
  mapfile -t photos < <(find "$src" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) \
                         ! -name '*mask*' | sort)
  [ ${#photos[@]} -gt 0 ] || { echo "bench_folder: no photos in $src" >&2; exit 2; }
  for i in $(seq 0 $((n - 1))); do
    p=${photos[$((i % ${#photos[@]}))]}
    cp "$p" "$input/$(printf '%04d' "$i")_$(basename "$p")"
  done
fi
count=$(find "$input" -maxdepth 1 -type f | wc -l)
echo "bench_folder: $count images from $input; toonbox cartoonize ${opts[*]}"

set +e
start=$(date +%s%N)
"$toonbox" cartoonize "$input" -o "$work/out" --json "${opts[@]}" >"$work/lines.jsonl" 2>"$work/stderr.txt"
rc=$?
process_ms=$((($(date +%s%N) - start) / 1000000))
set -e
python3 - "$work/lines.jsonl" "$rc" "$process_ms" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
s = next((l for l in lines if l.get("summary")), None)
if s is None:
    print("bench_folder: no summary line (exit %s):" % sys.argv[2], lines[-1:] if lines else "no output")
    sys.exit(1)
busy = s["stage_busy_ms"]
print(f"model      {s['model']}")
print(f"device     {s['device']}")
print(f"images     {s['ok']} ok, {s['failed']} failed of {s['total']}")
print(f"batch size {s['batch_size']}; device calls {s['device_calls']}")
print(f"wall       {s['seconds']:.1f} s run, {int(sys.argv[3])/1000:.1f} s whole process (model load included)")
print(f"stage busy decode {busy['decode']/1000:.1f} s, device {busy['device']/1000:.1f} s, "
      f"encode {busy['encode']/1000:.1f} s; overlap {s['overlap']:.2f}x")
print(f"THROUGHPUT {s['images_per_s']:.2f} images/s")
PY
