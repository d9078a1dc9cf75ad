#!/usr/bin/env bash
# Builds libmkl_intel_path.so (see mkl_intel_path.c) into the directory given, when a C compiler is
# there; otherwise says so and succeeds (the preload is a speed-up, never required).
#   build.sh <source dir> <output dir>
set -euo pipefail
src="$1"
out="$2"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "mkl-intel-path: not built (only for Linux x86_64)"
  exit 0
fi
cc_bin="$(command -v cc || command -v gcc || true)"
if [ -z "$cc_bin" ]; then
  echo "mkl-intel-path: not built (no C compiler; MKL keeps its default code path)"
  exit 0
fi
mkdir -p "$out"
"$cc_bin" -shared -fPIC -O2 -o "$out/libmkl_intel_path.so" "$src/mkl_intel_path.c"
