#!/usr/bin/env bash
# Installs the build into a staging prefix and builds the Debian packages, then runs the
# installed program (from the prefix and from the unpacked .deb) as a user would.
# usage: install_test.sh BUILD_DIR
set -uo pipefail
build=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
python3 "$here/make_fixtures.py" in >/dev/null
export TOONBOX_MODELS=$work/models

expect 0 "cmake --install into a staging prefix" cmake --install "$build" --prefix "$work/stage"
[ -x "$work/stage/bin/toonbox" ] && ok "bin/toonbox installed" || bad "bin/toonbox installed"
[ -f "$work/stage/share/doc/toonbox/cli.md" ] && ok "docs installed" || bad "docs installed"
# Shell completions where bash-completion, zsh and fish look for a package's own.
for f in bash-completion/completions/toonbox zsh/vendor-completions/_toonbox fish/vendor_completions.d/toonbox.fish; do
  [ -s "$work/stage/share/$f" ] && ok "completion installed: share/$f" || bad "completion installed: share/$f"
done
offered=$(bash -c 'source "$1"; COMP_WORDS=(toonbox ups); COMP_CWORD=1; _toonbox; echo "${COMPREPLY[*]}"' _ \
  "$work/stage/share/bash-completion/completions/toonbox" 2>&1)
[ "$offered" = upscale ] && ok "the installed bash completion completes commands" || bad "the installed bash completion: '$offered'"
if command -v help2man >/dev/null; then
  grep -q '^\.TH TOONBOX' "$work/stage/share/man/man1/toonbox.1" 2>/dev/null && ok "man page installed" || bad "man page installed"
  grep -q 'cartoonize' "$work/stage/share/man/man1/toonbox.1" 2>/dev/null && ok "man page lists the commands" || bad "man page lists the commands"
  # Rendered as `man` shows it: the commands' own options are in it, not only their names.
  if command -v man >/dev/null && command -v nroff >/dev/null; then
    MANWIDTH=100 man -l "$work/stage/share/man/man1/toonbox.1" >log 2>&1 && ok "man -l renders the page" || bad "man -l renders the page"
    contains "the page has a section of the commands' options" "COMMAND OPTIONS"
    contains "with a folder option of upscale" "--skip-existing"
    contains "and restore's usage line" "usage: toonbox restore"
  else
    echo "skip - rendering the man page: man or nroff not installed"
  fi
else
  echo "skip - man page: help2man not installed"
fi
if [ -f "$build/src/backend/cuda/libtoonbox_cuda.so" ]; then
  [ -f "$work/stage/lib/toonbox/libtoonbox_cuda.so" ] && ok "CUDA plugin installed where the loader looks" || bad "CUDA plugin installed"
fi
expect 0 "installed --version" "$work/stage/bin/toonbox" --version
contains "version printed" "toonbox [0-9]"
contains "the CPU backend's library" "CPU backend: oneDNN [0-9]"
contains "the CUDA build stated" "CUDA backend: "
expect 0 "the installed program cartoonizes" "$work/stage/bin/toonbox" cartoonize in/rgb.png -o out.png --device cpu
[ -s out.png ] && ok "output written by the installed program" || bad "output written by the installed program"

if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null; then
  (cd "$build" && cpack -G DEB -B "$work/pkg") >log 2>&1 && ok "cpack builds the .deb packages" || bad "cpack builds the .deb packages"
  deb=$(ls "$work"/pkg/toonbox_*.deb 2>/dev/null | head -1)
  if [ -n "$deb" ]; then
    dpkg-deb -I "$deb" >log 2>&1
    contains "Depends computed from the linked libraries" "Depends:.*libdnnl"
    contains "and names the image codecs" "libpng16"
    contains "and the PNG encoder's libdeflate" "libdeflate0"
    contains "and libzip (the server's results.zip)" "libzip4"
    dpkg-deb -x "$deb" "$work/unpacked"
    [ -s "$work/unpacked/usr/share/bash-completion/completions/toonbox" ] && ok "the package holds the bash completion" \
      || bad "the package holds the bash completion"
    expect 0 "the unpacked package runs" "$work/unpacked/usr/bin/toonbox" cartoonize in/rgb.png -o out2.png --device cpu
    cuda_deb=$(ls "$work"/pkg/toonbox-cuda_*.deb 2>/dev/null | head -1)
    if [ -f "$build/src/backend/cuda/libtoonbox_cuda.so" ]; then
      [ -n "$cuda_deb" ] && dpkg-deb -c "$cuda_deb" | grep -q 'usr/lib/toonbox/libtoonbox_cuda.so' \
        && ok "toonbox-cuda holds the plugin" || bad "toonbox-cuda holds the plugin"
    fi
  else
    bad "a toonbox_*.deb was written"
  fi
else
  echo "skip - .deb: cpack, dpkg-deb or dpkg-shlibdeps missing"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
