package dev.rlhfmesh.trainersvc.learn.ppo;

/**
 * Advantage whitening over all real tokens of a batch (as in OpenAI baselines' PPO2 and OpenRLHF's
 * {@code masked_normalize}):
 *
 * <pre>
 * μ = Σ m·A / Σ m;  σ² = Σ m·(A − μ)² / Σ m      (population variance over real tokens)
 * Â = (A − μ) / sqrt(σ² + 1e-8)                   (padding stays 0)
 * </pre>
 */
public final class AdvantageWhitening {
  static final double EPS = 1e-8;

  private AdvantageWhitening() {}

  /** Masked mean and population standard deviation over real tokens. */
  public record Moments(double mean, double std, long count) {}

  public static Moments moments(float[][] x, float[][] mask) {
    double sum = 0;
    long n = 0;
    for (int r = 0; r < x.length; r++) {
      for (int j = 0; j < x[r].length; j++) {
        if (real(mask, r, j)) {
          sum += x[r][j];
          n++;
        }
      }
    }
    double mean = n == 0 ? 0 : sum / n;
    double sq = 0;
    for (int r = 0; r < x.length; r++) {
      for (int j = 0; j < x[r].length; j++) {
        if (real(mask, r, j)) {
          double d = x[r][j] - mean;
          sq += d * d;
        }
      }
    }
    return new Moments(mean, n == 0 ? 0 : Math.sqrt(sq / n), n);
  }

  /** A new array of whitened values; masked positions are 0. */
  public static float[][] whiten(float[][] x, float[][] mask) {
    Moments m = moments(x, mask);
    double scale = 1 / Math.sqrt(m.std() * m.std() + EPS);
    float[][] out = new float[x.length][];
    for (int r = 0; r < x.length; r++) {
      out[r] = new float[x[r].length];
      for (int j = 0; j < x[r].length; j++) {
        if (real(mask, r, j)) {
          out[r][j] = (float) ((x[r][j] - m.mean()) * scale);
        }
      }
    }
    return out;
  }

  static boolean real(float[][] mask, int r, int j) {
    return mask == null || mask[r][j] != 0;
  }
}
