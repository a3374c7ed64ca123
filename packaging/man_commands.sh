#!/usr/bin/env bash
# Writes a help2man include file (help2man --include) with every command's --help under
# "COMMAND OPTIONS", so `man toonbox` holds each command's options, not only the command
# list that `toonbox --help` prints.
# usage: man_commands.sh TOONBOX_BINARY OUTPUT_FILE
set -euo pipefail
toonbox=$1 out=$2
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# The command names, from the list `toonbox help` prints ("  name   summary" under "commands:").
commands=$("$toonbox" help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "man_commands.sh: no commands listed by '$toonbox help'" >&2; exit 1; }
{
  echo "[COMMAND OPTIONS]"
  for c in $commands; do
    echo ".SS $c"
    echo ".nf"
    # Verbatim: backslashes escaped, - as a minus (not a hyphen: options are copied from
    # the page), and a line starting with . or ' kept as text.
    help=$("$toonbox" "$c" --help 2>&1) || true
    [ -n "$help" ] || { echo "man_commands.sh: '$toonbox $c --help' printed nothing" >&2; exit 1; }
    printf '%s\n' "$help" | sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"
    echo ".fi"
  done
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
