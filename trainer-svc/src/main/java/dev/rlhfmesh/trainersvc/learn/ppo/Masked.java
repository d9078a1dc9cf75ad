package dev.rlhfmesh.trainersvc.learn.ppo;

import ai.djl.ndarray.NDArray;

/** Masked reductions with NDArray-only arithmetic (safe inside a {@code GradientCollector}). */
public final class Masked {
  private Masked() {}

  /**
   * Σ mask·x / Σ mask.
   *
   * @param x (B, T)
   * @param mask (B, T) float 1/0 with at least one 1
   * @return scalar
   */
  public static NDArray mean(NDArray x, NDArray mask) {
    return x.mul(mask).sum().div(mask.sum());
  }
}
