#!/usr/bin/env bash
# The container recipe without a container runtime: a clean Debian 12 root filesystem
# (debootstrap, from Debian's archive), toonbox installed into it by the Dockerfile's own
# script (packaging/container/install-toonbox.sh), then the main job run inside with
# chroot: `toonbox --version`, `toonbox doctor` (no GPU here: it must say so and exit 1),
# and a cartoonized image, checked from outside. Not CI (network, root, minutes).
#
# usage: sudo tools/rootfs_test.sh [BUILD_DIR]     (needs: apt install debootstrap)
# The packages must exist: cmake --build BUILD_DIR && (cd BUILD_DIR && cpack -G DEB)
# The bare root filesystem is cached in $TOONBOX_ROOTFS_CACHE (default /tmp/toonbox-rootfs.tar).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
debs=$(ls "$build"/toonbox_*_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$debs" ] || { echo "rootfs_test: no $build/toonbox_*_amd64.deb (run cpack -G DEB in $build)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "rootfs_test: needs debootstrap (apt install debootstrap)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "rootfs_test: needs root (chroot, mounts)" >&2; exit 2; }
cache=${TOONBOX_ROOTFS_CACHE:-/tmp/toonbox-rootfs.tar}
root=$(mktemp -d /tmp/toonbox-rootfs.XXXXXX)
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT
t0=$(date +%s)
if [ -f "$cache" ]; then
  tar -C "$root" -xf "$cache"
else
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/tmp/rootfs_debootstrap.log 2>&1 ||
    { tail -20 /tmp/rootfs_debootstrap.log; exit 1; }
  tar -C "$root" -cf "$cache" .
fi
echo "rootfs: Debian $(cat "$root/etc/debian_version") in $(( $(date +%s) - t0 )) s"
mkdir -p "$root/tmp/debs" "$root/work"
cp "$debs" "$root/tmp/debs/"
cp packaging/container/install-toonbox.sh "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
t0=$(date +%s)
chroot "$root" sh /tmp/install-toonbox.sh /tmp/debs >/tmp/rootfs_install.log 2>&1 ||
  { tail -30 /tmp/rootfs_install.log; echo "FAIL: install"; exit 1; }
echo "installed in $(( $(date +%s) - t0 )) s: $(grep -c '^Setting up' /tmp/rootfs_install.log) packages set up"
tail -3 /tmp/rootfs_install.log | sed 's/^/  /'
python3 tools/make_sample_image.py "$root/work/sample.png"
fail=0
chroot "$root" toonbox doctor >/tmp/rootfs_doctor.txt 2>&1 && rc=0 || rc=$?
if [ "$rc" = 1 ] && grep -q "^GPU: not usable" /tmp/rootfs_doctor.txt; then
  echo "ok: doctor exits 1 and explains: $(grep -m1 '^GPU:' /tmp/rootfs_doctor.txt)"
else
  echo "FAIL: doctor exit $rc"; cat /tmp/rootfs_doctor.txt; fail=1
fi
if chroot "$root" toonbox cartoonize /work/sample.png -o /work/cartoon.png --device cpu >/tmp/rootfs_run.txt 2>&1 &&
   python3 -c "import sys,zlib,struct; d=open(sys.argv[1],'rb').read(); assert d[:8]==b'\x89PNG\r\n\x1a\n'; w,h=struct.unpack('>II',d[16:24]); print(f'ok: cartoon.png {w}x{h}, {len(d)} bytes')" "$root/work/cartoon.png"; then
  sed 's/^/  /' /tmp/rootfs_run.txt
  cp "$root/work/cartoon.png" /tmp/rootfs_cartoon.png
else
  echo "FAIL: cartoonize"; cat /tmp/rootfs_run.txt; fail=1
fi
[ "$fail" = 0 ] && echo PASS || { echo FAIL; exit 1; }
