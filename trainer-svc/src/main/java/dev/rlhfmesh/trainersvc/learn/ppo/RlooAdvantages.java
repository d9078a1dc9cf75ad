package dev.rlhfmesh.trainersvc.learn.ppo;

import java.util.HashMap;
import java.util.Map;

/**
 * REINFORCE Leave-One-Out (Ahmadian et al., "Back to Basics: Revisiting REINFORCE Style
 * Optimization for Learning from Human Feedback in LLMs", 2024, eq. 6; Kool et al. 2019): the
 * baseline of sample i is the mean reward of the other k − 1 samples of its prompt,
 *
 * <pre>
 * Â_i = r_i − (1 / (k − 1)) Σ_{j ≠ i} r_j  =  k / (k − 1) · (r_i − mean(r_group))
 * </pre>
 *
 * A group must hold at least two samples (there is no baseline otherwise).
 */
public final class RlooAdvantages {
  private RlooAdvantages() {}

  /**
   * @param rewards (N) sequence rewards (KL-penalised by the caller if wanted)
   * @param groups (N) group id per sample
   * @return (N) advantages
   * @throws IllegalArgumentException when a group has a single sample
   */
  public static float[] compute(float[] rewards, int[] groups) {
    Map<Integer, double[]> stats = new HashMap<>(); // group -> {k, sum}
    for (int i = 0; i < rewards.length; i++) {
      double[] s = stats.computeIfAbsent(groups[i], g -> new double[2]);
      s[0]++;
      s[1] += rewards[i];
    }
    float[] out = new float[rewards.length];
    for (int i = 0; i < rewards.length; i++) {
      double[] s = stats.get(groups[i]);
      if (s[0] < 2) {
        throw new IllegalArgumentException(
            "RLOO needs at least 2 samples per group; group " + groups[i] + " has 1");
      }
      double others = (s[1] - rewards[i]) / (s[0] - 1);
      out[i] = (float) (rewards[i] - others);
    }
    return out;
  }
}
