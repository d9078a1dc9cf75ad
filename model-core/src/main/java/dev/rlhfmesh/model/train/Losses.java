package dev.rlhfmesh.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.rlhfmesh.model.scoring.Logprobs;

/** Training losses written with NDArray-only arithmetic (safe under a GradientCollector). */
public final class Losses {
  private Losses() {}

  /**
   * Mean token cross-entropy -Σ mask · log p(target) / Σ mask.
   *
   * @param logits (B, T, V)
   * @param targets (B, T) ids
   * @param mask (B, T) 1 where the loss counts, or null for all
   * @return scalar
   */
  public static NDArray crossEntropy(NDArray logits, NDArray targets, NDArray mask) {
    NDArray lp = Logprobs.tokenLogprobs(logits, targets); // (B, T)
    if (mask == null) {
      return lp.mean().neg();
    }
    NDArray m = mask.toType(DataType.FLOAT32, false); // (B, T)
    return lp.mul(m).sum().div(m.sum()).neg();
  }
}
