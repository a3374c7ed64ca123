#!/usr/bin/env bash
# `toonbox models download` end to end against a local HTTP server (model_server.py) that
# serves small generated models (make_download_fixtures.py; no real weights, no network):
# licence refusal, download -> install -> list -> info -> remove, resume after a broken
# connection (Range), a server that ignores Range, a digest mismatch, a 404, a size the
# registry contradicts, connection refused, --from DIR, a model without a URL.
# usage: models_download_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

no_leftovers() {  # DESCRIPTION [MODEL]: nothing staged (for MODEL, or at all), nothing half-written
  local left
  left=$(find "$TOONBOX_MODELS" -mindepth 1 -maxdepth 1 -name ".${2:+download-$2}*" 2>/dev/null
         find "$TOONBOX_MODELS" -path "*${2:-}*" -name '*.part' 2>/dev/null)
  if [ -z "$left" ]; then ok "$1"; else bad "$1: left behind: $left"; fi
}
not_installed() { if [ ! -e "$TOONBOX_MODELS/$2" ]; then ok "$1"; else bad "$1: $TOONBOX_MODELS/$2 exists"; fi; }

mkdir -p serve from
: >mode
python3 "$here/model_server.py" serve port mode requests.log &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
bin_size=$(python3 "$here/make_download_fixtures.py" serve from registry.json "$port")
export TOONBOX_TEST_KNOWN_MODELS=$work/registry.json
export TOONBOX_MODELS_MIRROR=http://127.0.0.1:$port/

expect 0 "models known lists the test model and its URL" "$toonbox" models known
contains "its URL is listed" "url https://models.example.invalid/tiny/tiny.bin"
contains "a model without a URL says so" "download: not available (the test's upstream publishes no file)"

# The licence: shown, and refused without a terminal unless --yes.
expect 2 "no terminal and no --yes: refused" "$toonbox" models download tiny-toon </dev/null
contains "the refusal says to pass --yes" "pass --yes to accept it"
contains "the licence is shown" "licence: CC BY-NC 4.0 (non-commercial)"
contains "non-commercial weights are called out" "NON-COMMERCIAL"
contains "the files and digests are shown" "sha256 "
contains "the mirrored URL is shown" "from http://127.0.0.1:$port/models.example.invalid/tiny/tiny.bin"
[ ! -s requests.log ] && ok "nothing was requested before acceptance" || bad "nothing was requested before acceptance"
not_installed "nothing installed without acceptance" tiny-toon
if command -v script >/dev/null; then
  # On a terminal it asks; "n" declines.
  echo n | script -qec "'$toonbox' models download tiny-toon" /dev/null >log 2>&1
  [ $? -ne 0 ] && ok "declined at the prompt: fails" || bad "declined at the prompt: fails"
  contains "the question is asked" "Accept this licence and download 'tiny-toon'? \[y/N\]"
  contains "declining is explained" "licence not accepted; nothing downloaded"
  not_installed "declined: nothing installed" tiny-toon
  echo y | script -qec "'$toonbox' models download tiny-offline --from from" /dev/null >log 2>&1
  [ $? -eq 0 ] && ok "accepted at the prompt: installed" || bad "accepted at the prompt: installed"
  contains "installed after yes" "installed 'tiny-offline'"
  "$toonbox" models remove tiny-offline >/dev/null 2>&1
else
  echo "skip - the terminal prompt: script(1) is absent"
fi

# A download broken in the middle, then resumed with a Range request.
echo drop-half >mode
expect 1 "a broken connection fails the download" "$toonbox" models download tiny-toon --yes
contains "the error names the URL" "http://127.0.0.1:$port/models.example.invalid/tiny/tiny"
contains "the error says to run again" "run again to resume"
part=$(find "$TOONBOX_MODELS" -name 'tiny.*.part' | head -1)
[ -n "$part" ] && ok "the partial file is kept ($part)" || bad "the partial file is kept"
not_installed "a broken download installs nothing" tiny-toon
: >requests.log
: >mode
expect 0 "the rerun completes" "$toonbox" models download tiny-toon --yes
contains "it says it resumes" "resuming at"
grep -q "range=bytes=[1-9][0-9]*-" requests.log && ok "the rerun sent a Range request" ||
  { bad "the rerun sent a Range request"; cat requests.log; }
contains "installed, digests matched" "installed 'tiny-toon' into $TOONBOX_MODELS/tiny-toon (digests match the registry)"
no_leftovers "no staging folder or .part left after the install"
expect 0 "models list shows it" "$toonbox" models list
contains "listed with its licence" "tiny-toon"
if grep -q "tiny-toon.*not a known model" log; then bad "listed as known"; else ok "listed as known"; fi
expect 0 "models info on the downloaded model" "$toonbox" models info tiny-toon
contains "identified by its digests" "identified as 'tiny-toon' by its digests"
contains "its backends are checked" "cpu fp32     yes"
expect 0 "downloading it again: already installed" "$toonbox" models download tiny-toon --yes
contains "says it is installed" "'tiny-toon' is already installed"
expect 0 "models remove" "$toonbox" models remove tiny-toon
not_installed "removed" tiny-toon
expect 0 "after remove, list no longer shows it" "$toonbox" models list
if grep -q tiny-toon log; then bad "after remove, list no longer shows it"; else ok "gone from the list"; fi

# A server that ignores Range: the .part restarts from byte 0.
echo drop-half >mode
expect 1 "broken again" "$toonbox" models download tiny-toon --yes -q
echo ignore-range >mode
expect 0 "a server ignoring Range still gets the file" "$toonbox" models download tiny-toon --yes
contains "the restart is said" "ignored the Range request: restarting from byte 0"
no_leftovers "nothing left after the restart"
"$toonbox" models remove tiny-toon >/dev/null 2>&1
: >mode

# A digest mismatch: expected and got named, nothing installed, nothing kept.
expect 1 "a digest mismatch fails" "$toonbox" models download tiny-bad-digest --yes
contains "expected and got are named" "sha256 mismatch for tiny.bin: expected [0-9a-f]\{64\}, got [0-9a-f]\{64\}"
not_installed "a mismatch installs nothing" tiny-bad-digest
no_leftovers "a mismatch leaves no files" tiny-bad-digest

# A 404, a size the server contradicts, a refused connection.
expect 1 "a 404 fails" "$toonbox" models download tiny-missing --yes
contains "the 404 is named with its URL" "models.example.invalid/nothing/tiny.param: HTTP 404"
not_installed "a 404 installs nothing" tiny-missing
no_leftovers "a 404 leaves no staging folder" tiny-missing
expect 1 "a file larger than the registry says fails" "$toonbox" models download tiny-wrong-size --yes
contains "the size disagreement is named" "the server announces $bin_size bytes; the registry's file has 1000"
[ -z "$(find "$TOONBOX_MODELS" -name 'tiny.bin.part')" ] && ok "the refused file was not written" || bad "the refused file was not written"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOONBOX_MODELS_MIRROR=http://127.0.0.1:$closed/ expect 1 "connection refused fails" "$toonbox" models download tiny-missing --yes
contains "connection refused is named" "cannot connect (connection refused"

# A server that stops sending: --timeout gives up, naming the timeout; the bytes are kept.
echo stall >mode
expect 1 "a stalled server times out" "$toonbox" models download tiny-toon --yes --timeout 1
contains "the timeout is named" "tiny.param: timed out: no data for 1 s"
expect 2 "a bad --timeout is a usage error" "$toonbox" models download tiny-toon --yes --timeout 0
: >mode
rm -rf "$TOONBOX_MODELS/.download-tiny-toon"

# No URL: refused, saying why and how; --from DIR installs from a folder.
expect 1 "a model without a URL is refused" "$toonbox" models download tiny-offline --yes
contains "the refusal gives the reason" "cannot be downloaded: the test's upstream publishes no file"
contains "the refusal names --from" "--from DIR"
: >requests.log
expect 0 "--from DIR installs offline" "$toonbox" models download tiny-offline --from from --yes
[ ! -s requests.log ] && ok "--from made no request" || bad "--from made no request"
contains "installed from the folder" "installed 'tiny-offline'"
no_leftovers "nothing left after --from" tiny-offline
mkdir -p empty
expect 1 "--from a folder missing a file" "$toonbox" models download tiny-toon --from empty --yes
contains "the missing file is named" "empty/tiny.param: missing"
cp from/tiny.param from/tiny.bin empty/
expect 1 "--from with the wrong files: digest mismatch" "$toonbox" models download tiny-toon --from empty --yes
contains "the local mismatch names the file" "empty/tiny.bin: sha256 mismatch"
no_leftovers "nothing left after a local mismatch" tiny-toon

expect 2 "an unknown name" "$toonbox" models download no-such-model --yes
contains "says how to list them" "toonbox models known"
expect 0 "the built-in style needs no download" "$toonbox" models download classic
# A real registry model without a stable URL says why (and nothing is fetched).
expect 1 "style-candy has no URL" "$toonbox" models download style-candy --yes
contains "the reason is upstream's C header" "only as a C array"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
