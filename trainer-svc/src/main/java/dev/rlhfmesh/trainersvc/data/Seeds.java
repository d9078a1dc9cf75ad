package dev.rlhfmesh.trainersvc.data;

/** Derived seeds: independent streams from one job seed (SplitMix64 finaliser). */
public final class Seeds {
  private Seeds() {}

  /** A seed for (base, a, b): stable across runs and machines. */
  public static long mix(long base, long a, long b) {
    return fmix(fmix(fmix(base) ^ a) + b);
  }

  static long fmix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
