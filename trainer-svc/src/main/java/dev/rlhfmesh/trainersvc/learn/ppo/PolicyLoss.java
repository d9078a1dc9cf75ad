package dev.rlhfmesh.trainersvc.learn.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * PPO's clipped surrogate objective (Schulman, Wolski, Dhariwal, Radford, Klimov, "Proximal Policy
 * Optimization Algorithms", 2017, eq. 7), as a loss averaged over real tokens:
 *
 * <pre>
 * ρ_t  = exp(log π_θ(a_t) − log π_old(a_t))
 * L    = − mean_t min(ρ_t Â_t, clip(ρ_t, 1 − ε, 1 + ε) Â_t)
 * clip_fraction = mean_t [ |ρ_t − 1| > ε ]
 * approx_kl     = mean_t ((ρ_t − 1) − log ρ_t)          (k3 estimate of KL(π_old || π_θ))
 * </pre>
 *
 * Only NDArray operands in the recorded arithmetic ({@code clip(Number, Number)} is a single native
 * op and safe): constants are created in the inputs' manager and live until it closes, after {@code
 * backward()} (TOOLCHAIN-NOTES pitfall 1).
 */
public final class PolicyLoss {
  private final double clipRange;

  /**
   * @param loss scalar, differentiable
   * @param clipFraction scalar, no gradient needed
   * @param approxKl scalar, no gradient needed
   */
  public record Result(NDArray loss, NDArray clipFraction, NDArray approxKl) {}

  public PolicyLoss(double clipRange) {
    if (!(clipRange > 0)) {
      throw new IllegalArgumentException("clip range must be > 0: " + clipRange);
    }
    this.clipRange = clipRange;
  }

  /**
   * @param logprobs (B, T) log π_θ of the taken tokens, differentiable
   * @param oldLogprobs (B, T) log π_old (before this iteration's updates)
   * @param advantages (B, T)
   * @param mask (B, T) float 1 = real token
   */
  public Result compute(NDArray logprobs, NDArray oldLogprobs, NDArray advantages, NDArray mask) {
    NDManager m = logprobs.getManager();
    NDArray logRatio = logprobs.sub(oldLogprobs); // (B, T)
    NDArray ratio = logRatio.exp(); // (B, T)
    NDArray surr1 = ratio.mul(advantages);
    NDArray surr2 = ratio.clip(1 - clipRange, 1 + clipRange).mul(advantages);
    NDArray loss = Masked.mean(surr1.minimum(surr2), mask).neg();

    NDArray one = m.create(1f);
    NDArray eps = m.create((float) clipRange);
    NDArray detached = ratio.stopGradient();
    NDArray clipped = detached.sub(one).abs().gt(eps).toType(mask.getDataType(), false);
    NDArray clipFraction = Masked.mean(clipped, mask);
    NDArray k3 = detached.sub(one).sub(logRatio.stopGradient());
    NDArray approxKl = Masked.mean(k3, mask);
    return new Result(loss, clipFraction, approxKl);
  }
}
