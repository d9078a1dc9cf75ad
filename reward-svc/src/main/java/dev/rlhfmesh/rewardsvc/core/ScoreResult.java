package dev.rlhfmesh.rewardsvc.core;

import java.util.List;

/**
 * What scoring a batch produced.
 *
 * @param rewards one final reward per sample, in request order (after clipping/normalisation)
 * @param breakdowns one breakdown per sample, in request order
 * @param modelVersion weight version of the learned model used, 0 when the spec has none
 */
public record ScoreResult(float[] rewards, List<Breakdown> breakdowns, long modelVersion) {

  /** One component's raw value and its weight. */
  public record Component(String name, float value, float weight) {}

  /** How one sample's reward was made: every component in spec order and their weighted sum. */
  public record Breakdown(List<Component> components, float rawTotal) {}
}
