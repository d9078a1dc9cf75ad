package dev.rlhfmesh.rewardsvc.core;

/**
 * Running mean and variance over every value seen (Welford / Chan et al. parallel update), for
 * reward normalisation. Thread-safe: concurrent batches update it one at a time.
 */
public final class RunningMoments {
  private final double epsilon;
  private long count;
  private double mean;
  private double m2; // sum of squared deviations from the mean

  /**
   * @param epsilon added to the variance before the square root (keeps a constant reward finite)
   */
  public RunningMoments(double epsilon) {
    this.epsilon = epsilon;
  }

  /** Adds the batch to the statistics, then returns {@code (x - μ) / sqrt(σ² + ε)} per value. */
  public synchronized float[] updateAndNormalise(float[] values) {
    for (float v : values) {
      count++;
      double delta = v - mean;
      mean += delta / count;
      m2 += delta * (v - mean);
    }
    double std = Math.sqrt(variance() + epsilon);
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) ((values[i] - mean) / std);
    }
    return out;
  }

  public synchronized long count() {
    return count;
  }

  public synchronized double mean() {
    return mean;
  }

  /** Population variance of everything seen (0 before two values). */
  public synchronized double variance() {
    return count < 2 ? 0 : m2 / count;
  }
}
