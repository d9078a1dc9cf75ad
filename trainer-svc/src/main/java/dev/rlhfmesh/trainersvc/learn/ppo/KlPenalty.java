package dev.rlhfmesh.trainersvc.learn.ppo;

import ai.djl.ndarray.NDArray;

/**
 * The KL penalty that keeps the policy near the reference (Ziegler et al., "Fine-Tuning Language
 * Models from Human Preferences", 2019; Ouyang et al. 2022, eq. 2). Per response token t, with
 * log-ratio {@code x_t = log π(a_t) − log π_ref(a_t)}:
 *
 * <pre>
 * k1_t = x_t                          (unbiased, can be negative)
 * k3_t = exp(−x_t) − 1 + x_t          (Schulman, "Approximating KL Divergence", 2020: unbiased, ≥ 0)
 * r_t  = −β · k_t  (+ the sequence reward on the last real response token)
 * </pre>
 *
 * {@link #rewards} builds the per-token PPO rewards; {@link #k3Loss} is GRPO's KL term in the loss
 * (Shao et al. 2024, eq. 4), written with NDArray-only arithmetic so it is safe under a {@code
 * GradientCollector}.
 */
public final class KlPenalty {
  private KlPenalty() {}

  /** Which per-token estimator of KL(π || π_ref). */
  public enum Estimator {
    K1,
    K3
  }

  /** The per-token estimate for log-ratio x. */
  public static double estimate(Estimator e, double x) {
    return e == Estimator.K1 ? x : Math.exp(-x) - 1 + x;
  }

  /**
   * Per-token rewards.
   *
   * @param logprobs (B, T) log π of the response tokens
   * @param refLogprobs (B, T) log π_ref of the same tokens
   * @param mask (B, T) 1 = response token, 0 = padding (null = all real); the sequence reward goes
   *     on the last position with mask 1 — padding is never found through the pad id
   * @param sequenceRewards (B) shaped sequence rewards
   * @param beta β ≥ 0
   * @return (B, T) rewards, 0 at padding
   */
  public static float[][] rewards(
      float[][] logprobs,
      float[][] refLogprobs,
      float[][] mask,
      float[] sequenceRewards,
      double beta,
      Estimator estimator) {
    float[][] out = new float[logprobs.length][];
    for (int r = 0; r < logprobs.length; r++) {
      out[r] = new float[logprobs[r].length];
      int last = -1;
      for (int j = 0; j < logprobs[r].length; j++) {
        if (AdvantageWhitening.real(mask, r, j)) {
          double x = logprobs[r][j] - refLogprobs[r][j];
          out[r][j] = (float) (-beta * estimate(estimator, x));
          last = j;
        }
      }
      if (last >= 0) {
        out[r][last] += sequenceRewards[r];
      }
    }
    return out;
  }

  /**
   * Per-sequence KL: Σ_t k_t over real tokens of each row.
   *
   * @return (B) nats per sequence
   */
  public static float[] perSequence(
      float[][] logprobs, float[][] refLogprobs, float[][] mask, Estimator estimator) {
    float[] out = new float[logprobs.length];
    for (int r = 0; r < logprobs.length; r++) {
      double s = 0;
      for (int j = 0; j < logprobs[r].length; j++) {
        if (AdvantageWhitening.real(mask, r, j)) {
          s += estimate(estimator, logprobs[r][j] - refLogprobs[r][j]);
        }
      }
      out[r] = (float) s;
    }
    return out;
  }

  /**
   * GRPO's KL loss term: masked mean of k3 per token (no β; the caller multiplies by a β tensor).
   *
   * @param logprobs (B, T) log π, differentiable
   * @param refLogprobs (B, T) log π_ref (constant)
   * @param mask (B, T) float 1/0
   * @return scalar
   */
  public static NDArray k3Loss(NDArray logprobs, NDArray refLogprobs, NDArray mask) {
    NDArray d = refLogprobs.sub(logprobs); // (B, T) −x
    NDArray one = logprobs.getManager().create(1f); // lives until the step's manager closes
    NDArray k3 = d.exp().sub(one).sub(d); // exp(−x) − 1 + x
    return Masked.mean(k3, mask);
  }
}
