#!/usr/bin/env bash
# Builds the project's native libraries when a C compiler is there; otherwise says so and succeeds
# (both are speed-ups, never required):
#   - libmkl_intel_path.so (see mkl_intel_path.c) into <output dir>, for LD_PRELOAD;
#   - librlhf_native.so (see cached_step.c, cached_attention.c, softmax_rows.c) into <classes dir>/native/linux-x86_64,
#     so that it ships inside model-core's jar (NativeStep loads it from there; needs the JDK's jni.h).
#   build.sh <source dir> <output dir> <classes dir> <java home>
set -euo pipefail
src="$1"
out="$2"
classes="$3"
java_home="$4"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "native libraries: not built (only for Linux x86_64)"
  exit 0
fi
cc_bin="$(command -v cc || command -v gcc || true)"
if [ -z "$cc_bin" ]; then
  echo "native libraries: not built (no C compiler; MKL keeps its default code path, cached passes run as DJL ops)"
  exit 0
fi
mkdir -p "$out"
"$cc_bin" -shared -fPIC -O2 -o "$out/libmkl_intel_path.so" "$src/mkl_intel_path.c"
if [ ! -f "$java_home/include/jni.h" ]; then
  echo "rlhf_native: not built (no jni.h under $java_home/include; cached passes run as DJL ops)"
  exit 0
fi
mkdir -p "$classes/native/linux-x86_64"
# -fopenmp-simd: the loops' simd pragmas only (no OpenMP runtime); the hot functions have clones for
# x86-64-v3 (AVX2 + FMA) and the baseline, chosen at load time. MKL's sgemm_ and vector math come
# from the libtorch the JVM has loaded (found at run time), so nothing else is linked.
"$cc_bin" -shared -fPIC -O3 -fopenmp-simd -fno-math-errno -Wall -Wextra -Werror -Wno-psabi \
  -I"$java_home/include" -I"$java_home/include/linux" \
  -o "$classes/native/linux-x86_64/librlhf_native.so" "$src/cached_step.c" "$src/cached_attention.c" "$src/softmax_rows.c" -ldl -lm
