#!/bin/sh
# Installs toonbox from its Debian packages inside a Debian 12 image or root filesystem:
# the recipe both Dockerfiles run, and the one tools/rootfs_test.sh runs in a chroot.
#   install-toonbox.sh DEB_DIR [cuda]
# DEB_DIR holds toonbox_*_amd64.deb (and toonbox-cuda_*_amd64.deb for `cuda`). Every
# dependency comes from Debian's archive (the toonbox package's Depends); `cuda` adds
# NVIDIA's CUDA repository for Debian 12 and the runtime libraries the plugin was built
# against (the driver itself comes from the host, through the NVIDIA Container Toolkit).
set -eu
debs=$1
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends ca-certificates "$debs"/toonbox_*_amd64.deb
if [ "${2:-}" = cuda ]; then
  apt-get install -y --no-install-recommends curl
  curl -fsSL -o /tmp/cuda-keyring.deb \
    https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/cuda-keyring_1.1-1_all.deb
  dpkg -i /tmp/cuda-keyring.deb && rm /tmp/cuda-keyring.deb
  apt-get update
  # What `toonbox --version` says the plugin was built for: CUDA 13.0, cuDNN 9 (NVRTC for
  # cuDNN's runtime-compiled engines; `toonbox doctor` names each library it misses).
  apt-get install -y --no-install-recommends cuda-cudart-13-0 libcublas-13-0 libcufft-13-0 cuda-nvrtc-13-0 \
    libcudnn9-cuda-13
  apt-get install -y --no-install-recommends "$debs"/toonbox-cuda_*_amd64.deb
fi
apt-get clean
rm -rf /var/lib/apt/lists/*
toonbox --version
