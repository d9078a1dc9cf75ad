/*
 * libtorch's CPU build carries Intel MKL, and MKL takes its generic AVX2 code path on CPUs whose
 * vendor is not Intel, even where they have AVX-512 (AMD Zen 4 and 5). MKL asks one internal
 * function whether it runs on an Intel CPU; preloading this library answers yes, so MKL picks its
 * kernels by the CPU's feature flags alone. Measured on the 2-core AMD EPYC development machine,
 * one thread: fp32 matmul 1024^3 about 100 -> 240 GFLOP/s (model-core/README.md, "MKL on AMD").
 * Used only through LD_PRELOAD (see preload-env.sh); it changes no result beyond float rounding.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
