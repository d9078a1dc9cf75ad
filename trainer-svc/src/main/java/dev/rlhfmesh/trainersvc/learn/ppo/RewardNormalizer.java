package dev.rlhfmesh.trainersvc.learn.ppo;

/**
 * Running reward normalisation with Welford's online mean/variance (Welford 1962; Chan et al.'s
 * parallel form for batches is not needed: samples are added one by one):
 *
 * <pre>
 * n ← n + 1;  δ = x − μ;  μ ← μ + δ / n;  M2 ← M2 + δ (x − μ)
 * σ² = M2 / n;   x̂ = (x − μ) / (σ + 1e-8)        (x̂ = x − μ while n &lt; 2)
 * </pre>
 *
 * {@link #normalize} first adds the batch to the statistics, then normalises it with the updated
 * statistics (as OpenRLHF's running reward normalisation). State: (n, μ, M2), restored exactly.
 */
public final class RewardNormalizer {
  static final double EPS = 1e-8;
  private long count;
  private double mean;
  private double m2;

  public void add(double x) {
    count++;
    double delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
  }

  public long count() {
    return count;
  }

  public double mean() {
    return mean;
  }

  /** Population standard deviation; 0 before two samples. */
  public double std() {
    return count < 2 ? 0 : Math.sqrt(m2 / count);
  }

  /** Adds every value, then returns them normalised with the updated statistics. */
  public float[] normalize(float[] xs) {
    for (float x : xs) {
      add(x);
    }
    double std = std();
    float[] out = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      out[i] = (float) (count < 2 ? xs[i] - mean : (xs[i] - mean) / (std + EPS));
    }
    return out;
  }

  /** {count, mean, m2} for a checkpoint. */
  public double[] state() {
    return new double[] {count, mean, m2};
  }

  public void restore(double[] state) {
    count = (long) state[0];
    mean = state[1];
    m2 = state[2];
  }
}
