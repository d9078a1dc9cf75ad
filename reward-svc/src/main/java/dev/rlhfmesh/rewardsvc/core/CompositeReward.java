package dev.rlhfmesh.rewardsvc.core;

import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A weighted sum of other (non-composite) specs: {@code raw = Σ_k w_k · r_k}; then, optionally,
 * running mean/std normalisation {@code (raw - μ) / sqrt(σ² + ε)} with μ, σ² over every raw total
 * this spec has produced (this batch included); then, optionally, clipping to {@code [clipMin,
 * clipMax]} (in normalised units when normalisation is on).
 */
public final class CompositeReward implements RewardSpec {

  /** One component: a spec and its weight. */
  public record Part(RewardSpec spec, float weight) {}

  /** Final rewards and raw weighted sums, one each per sample. */
  public record Composed(float[] rewards, float[] rawTotals) {}

  private final String name;
  private final List<Part> parts;
  private final Optional<Float> clipMin;
  private final Optional<Float> clipMax;
  private final RunningMoments moments; // null: no normalisation

  public CompositeReward(
      String name,
      List<Part> parts,
      Optional<Float> clipMin,
      Optional<Float> clipMax,
      RunningMoments moments) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("composite '" + name + "' has no components");
    }
    for (Part p : parts) {
      if (p.spec() instanceof CompositeReward) {
        throw new IllegalArgumentException(
            "composite '" + name + "' cannot contain composite '" + p.spec().name() + "'");
      }
    }
    if (clipMin.isPresent() && clipMax.isPresent() && clipMin.get() > clipMax.get()) {
      throw new IllegalArgumentException(
          "composite '" + name + "': clip-min " + clipMin.get() + " > clip-max " + clipMax.get());
    }
    this.name = name;
    this.parts = List.copyOf(parts);
    this.clipMin = clipMin;
    this.clipMax = clipMax;
    this.moments = moments;
  }

  @Override
  public String name() {
    return name;
  }

  public List<Part> parts() {
    return parts;
  }

  @Override
  public String description() {
    StringJoiner sum = new StringJoiner(" + ", "weighted sum ", "");
    for (Part p : parts) {
      sum.add(p.weight() + " * " + p.spec().name());
    }
    StringBuilder b = new StringBuilder(sum.toString());
    if (moments != null) {
      b.append(", running mean/std normalised");
    }
    clipMin.ifPresent(v -> b.append(", clipped below at ").append(v));
    clipMax.ifPresent(v -> b.append(", clipped above at ").append(v));
    return b.toString();
  }

  /**
   * @param values (parts, samples): the raw value of every component for every sample
   */
  public Composed compose(float[][] values) {
    int n = values[0].length;
    float[] raw = new float[n];
    for (int k = 0; k < parts.size(); k++) {
      float w = parts.get(k).weight();
      for (int i = 0; i < n; i++) {
        raw[i] += w * values[k][i];
      }
    }
    float[] out = raw.clone();
    if (moments != null) {
      out = moments.updateAndNormalise(raw);
    }
    for (int i = 0; i < n; i++) {
      if (clipMin.isPresent()) {
        out[i] = Math.max(out[i], clipMin.get());
      }
      if (clipMax.isPresent()) {
        out[i] = Math.min(out[i], clipMax.get());
      }
    }
    return new Composed(out, raw);
  }
}
