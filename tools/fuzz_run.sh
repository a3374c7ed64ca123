#!/usr/bin/env bash
# Long libFuzzer runs of the harnesses in fuzz/ (not CI). Needs the clang build:
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DTOONBOX_FUZZ=ON \
#       -DTOONBOX_BUILD_TESTS=OFF -DTOONBOX_CUDA=OFF && ninja -C build-fuzz
# and the seed corpus from the normal build (build/fuzz/corpus, made by `ninja -C build`).
#
# usage: tools/fuzz_run.sh [-t SECONDS_EACH] [-j PARALLEL] [HARNESS...]
# Runs at nice 19 (the machine is shared), each harness for SECONDS_EACH (default 600),
# PARALLEL at a time (default 1). The growing corpus is kept in build-fuzz/fuzz-work/<h>,
# crash inputs in build-fuzz/fuzz-artifacts/<h>/, logs in build-fuzz/fuzz-logs/<h>.log.
# Prints one line per harness: wall and CPU seconds, executions, coverage (cov: edges, ft: features), corpus
# size, crashes (crash/leak/oom/timeout artifacts) and slow units. Coverage counts
# toonbox's own code only: the system libjpeg, libpng, libwebp and protobuf are not
# instrumented (they are exercised, not measured).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=600 parallel=1
while getopts "t:j:" o; do
  case $o in t) seconds=$OPTARG ;; j) parallel=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(jpeg png webp exif tfjs onnx ncnn multipart query http_head)
fb=build-fuzz
for h in "${harnesses[@]}"; do
  [ -x "$fb/fuzz/${h}_fuzz" ] || { echo "missing $fb/fuzz/${h}_fuzz (build the clang fuzz build first)" >&2; exit 2; }
done
mkdir -p "$fb/fuzz-logs"

run_one() {
  local h=$1 work="$fb/fuzz-work/$1" art="$fb/fuzz-artifacts/$1/"
  mkdir -p "$work" "$art"
  local seeds=(build/fuzz/corpus/"$h")
  [ -d fuzz/regressions/"$h" ] && seeds+=(fuzz/regressions/"$h")
  /usr/bin/time -f '%U %S' -o "$fb/fuzz-logs/$h.cpu" nice -n 19 "$fb/fuzz/${h}_fuzz" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 \
    -max_len=262144 -print_final_stats=1 -artifact_prefix="$art" \
    "$work" "${seeds[@]}" >"$fb/fuzz-logs/$h.log" 2>&1
  local rc=$?
  local execs cov ft corpus crashes cpu
  # CPU seconds (user + system): at nice 19 on a shared machine a harness gets only
  # part of a core, so the wall time overstates the fuzzing done.
  cpu=$(tail -1 "$fb/fuzz-logs/$h.cpu" 2>/dev/null | awk '{printf "%.0f", $1 + $2}')
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$fb/fuzz-logs/$h.log" | tail -1 | awk '{print $2}')
  cov=$(grep -o 'cov: [0-9]*' "$fb/fuzz-logs/$h.log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$fb/fuzz-logs/$h.log" | tail -1 | awk '{print $2}')
  corpus=$(find "$work" -type f | wc -l)
  # crash-, leak-, oom- and timeout- files are findings; slow-unit- files are inputs that
  # took long once, often only because the machine was busy (rerun them to see).
  crashes=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  slow=$(find "$art" -type f -name 'slow-unit-*' | wc -l)
  printf '%-10s %6ss wall %6ss cpu  execs %-10s cov %-6s ft %-6s corpus %-5s crashes %s slow %s (exit %s)\n' \
    "$h" "$seconds" "${cpu:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$crashes" "$slow" "$rc"
}

running=0
for h in "${harnesses[@]}"; do
  run_one "$h" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait
