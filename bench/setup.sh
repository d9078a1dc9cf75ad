#!/usr/bin/env bash
# Installs the Python peer's runtime: Debian's python3-torch (1.13) and the pthread OpenBLAS build.
# Idempotent: does nothing when both are present. Needs root (apt-get) the first time.
set -euo pipefail
need=()
dpkg -s python3-torch >/dev/null 2>&1 || need+=(python3-torch)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup: python3-torch and libopenblas0-pthread already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
echo "setup: done"
