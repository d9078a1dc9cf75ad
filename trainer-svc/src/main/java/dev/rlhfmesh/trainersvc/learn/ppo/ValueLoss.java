package dev.rlhfmesh.trainersvc.learn.ppo;

import ai.djl.ndarray.NDArray;

/**
 * Clipped value loss, as in OpenAI baselines' PPO2 and OpenRLHF's {@code ValueLoss}:
 *
 * <pre>
 * V_clip = V_old + clip(V_θ − V_old, −ε_v, ε_v)
 * L_V    = ½ mean_t max((V_θ − R_t)², (V_clip − R_t)²)
 * </pre>
 *
 * R_t are the GAE returns. NDArray-only arithmetic; the ½ is a tensor in the inputs' manager.
 */
public final class ValueLoss {
  private final double clipRange;

  /**
   * @param clipRange ε_v; 0 or less disables clipping (plain ½ mean squared error)
   */
  public ValueLoss(double clipRange) {
    this.clipRange = clipRange;
  }

  /**
   * @param values (B, T) V_θ, differentiable
   * @param oldValues (B, T) values before this iteration's updates
   * @param returns (B, T) targets
   * @param mask (B, T) float 1 = real token
   * @return scalar loss
   */
  public NDArray compute(NDArray values, NDArray oldValues, NDArray returns, NDArray mask) {
    NDArray half = values.getManager().create(0.5f);
    NDArray err = values.sub(returns).square(); // (B, T)
    if (clipRange > 0) {
      NDArray clippedValues = values.sub(oldValues).clip(-clipRange, clipRange).add(oldValues);
      err = err.maximum(clippedValues.sub(returns).square());
    }
    return Masked.mean(err, mask).mul(half);
  }
}
