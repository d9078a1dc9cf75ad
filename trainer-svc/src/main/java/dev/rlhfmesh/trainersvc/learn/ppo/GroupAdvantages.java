package dev.rlhfmesh.trainersvc.learn.ppo;

import java.util.HashMap;
import java.util.Map;

/**
 * GRPO's group-relative advantage (Shao et al., "DeepSeekMath: Pushing the Limits of Mathematical
 * Reasoning in Open Language Models", 2024, §4.1.2, outcome supervision): each response is compared
 * with the other samples of its prompt,
 *
 * <pre>
 * Â_i = (r_i − mean(r_group)) / (std(r_group) + eps)
 * </pre>
 *
 * with the sample standard deviation (n − 1, as {@code torch.std} in TRL's GRPO trainer). Every
 * token of response i gets Â_i. A group of one sample gets advantage 0.
 */
public final class GroupAdvantages {
  public static final double EPS = 1e-4;

  private GroupAdvantages() {}

  /**
   * @param rewards (N) sequence rewards
   * @param groups (N) group id of each sample (samples of one prompt share it)
   * @return (N) advantages
   */
  public static float[] compute(float[] rewards, int[] groups) {
    Map<Integer, double[]> stats = new HashMap<>(); // group -> {n, sum, sumSq}
    for (int i = 0; i < rewards.length; i++) {
      double[] s = stats.computeIfAbsent(groups[i], g -> new double[3]);
      s[0]++;
      s[1] += rewards[i];
    }
    for (int i = 0; i < rewards.length; i++) {
      double[] s = stats.get(groups[i]);
      double d = rewards[i] - s[1] / s[0];
      s[2] += d * d;
    }
    float[] out = new float[rewards.length];
    for (int i = 0; i < rewards.length; i++) {
      double[] s = stats.get(groups[i]);
      if (s[0] < 2) {
        continue;
      }
      double mean = s[1] / s[0];
      double std = Math.sqrt(s[2] / (s[0] - 1));
      out[i] = (float) ((rewards[i] - mean) / (std + EPS));
    }
    return out;
  }
}
