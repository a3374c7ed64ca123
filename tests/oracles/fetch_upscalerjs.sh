#!/usr/bin/env bash
# Fetches the UpscalerJS model packages the TF.js layers-model tests use, with `npm pack`
# (the registry's tarballs, checked by npm against their recorded integrity), into
# DEST (default tests/oracles/upscalerjs, git-ignored): DEST/<package>/package/...
# Pinned versions; a package already there is kept. Exits 1 when a package cannot be
# fetched (offline); the tests then skip, saying so.
set -euo pipefail
cd "$(dirname "$0")"
dest=${1:-${TOONBOX_UPSCALERJS_DIR:-upscalerjs}}
packages=(esrgan-slim@1.0.0 esrgan-medium@1.0.0 esrgan-thick@1.0.0 default-model@1.0.0)
mkdir -p "$dest"
status=0
for spec in "${packages[@]}"; do
  name=${spec%@*}
  if [ -f "$dest/$name/package/package.json" ] &&
     grep -q "\"version\": \"${spec#*@}\"" "$dest/$name/package/package.json"; then
    continue
  fi
  tmp=$(mktemp -d "$dest/.fetch-$name-XXXXXX")
  if (cd "$tmp" && npm pack "@upscalerjs/$spec" --silent > pack.log 2>&1) &&
     mkdir -p "$tmp/unpacked" && tar -xzf "$tmp"/upscalerjs-*.tgz -C "$tmp/unpacked"; then
    rm -rf "${dest:?}/$name"
    mv "$tmp/unpacked" "$dest/$name"
    echo "fetch_upscalerjs: @upscalerjs/$spec -> $dest/$name"
  else
    echo "fetch_upscalerjs: cannot fetch @upscalerjs/$spec (offline?): $(tail -1 "$tmp/pack.log" 2>/dev/null)" >&2
    status=1
  fi
  rm -rf "$tmp"
done
exit $status
