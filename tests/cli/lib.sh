# Sourced by the CLI test scripts after they set `toonbox` and `here`: a fresh work folder
# (removed at exit, and the current directory from here on) with its own models folder,
# and the checks, which count into $passed and $failed and read a command's output
# from ./log.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TOONBOX_MODELS="$work/models"   # never touch the user's models
cd "$work"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; [ -f log ] && sed 's/^/       /' log | head -20; }
# expect EXIT_CODE "description" command...   (output in ./log)
expect() {
  local want=$1 what=$2; shift 2
  "$@" >log 2>&1; local got=$?
  if [ "$got" = "$want" ]; then ok "$what"; else bad "$what (exit $got, expected $want)"; fi
}
contains() { if grep -q -- "$2" log; then ok "$1"; else bad "$1: output lacks '$2'"; fi; }
