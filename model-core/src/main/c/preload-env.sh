# Sourced by ./rlhf-mesh and bench/run.sh: preloads libmkl_intel_path.so (see mkl_intel_path.c) into
# every JVM they start when the library was built, the CPU is not an Intel one (there MKL already
# picks its best path) and RLHF_MKL_INTEL_PATH is not 0. Child processes inherit it.
#   . model-core/src/main/c/preload-env.sh <repo root>
rlhf_mkl_lib="$1/model-core/target/native/libmkl_intel_path.so"
if [ "${RLHF_MKL_INTEL_PATH:-1}" != 0 ] && [ -f "$rlhf_mkl_lib" ] &&
  ! grep -q -m1 GenuineIntel /proc/cpuinfo 2>/dev/null; then
  export LD_PRELOAD="$rlhf_mkl_lib${LD_PRELOAD:+:$LD_PRELOAD}"
  echo "==> MKL: kernels chosen by CPU features on this non-Intel CPU (RLHF_MKL_INTEL_PATH=0 turns it off)" >&2
fi
unset rlhf_mkl_lib
