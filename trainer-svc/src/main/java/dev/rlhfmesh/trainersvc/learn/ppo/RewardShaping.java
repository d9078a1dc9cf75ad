package dev.rlhfmesh.trainersvc.learn.ppo;

/**
 * Turns reward-service scores into the sequence rewards PPO optimises, in this order:
 *
 * <ol>
 *   <li>running normalisation of the raw score ({@link RewardNormalizer}), if enabled;
 *   <li>{@code + noEosPenalty} for a response that never produced EOS (truncated at the length
 *       limit; the penalty is usually negative). Whether a response ended is an explicit flag from
 *       the generator, never inferred from token ids, so EOS and padding cannot be confused;
 *   <li>clipping to [−rewardClip, rewardClip] when rewardClip &gt; 0.
 * </ol>
 *
 * The penalty comes after normalisation so that it keeps its configured size in reward units.
 */
public final class RewardShaping {
  private RewardShaping() {}

  /**
   * @param scores (N) raw scores
   * @param endedWithEos (N) whether each response produced EOS
   * @param normalizer running statistics, or null for no normalisation
   * @return (N) shaped rewards
   */
  public static float[] shape(
      float[] scores,
      boolean[] endedWithEos,
      RewardNormalizer normalizer,
      double noEosPenalty,
      double rewardClip) {
    float[] r = normalizer == null ? scores.clone() : normalizer.normalize(scores);
    for (int i = 0; i < r.length; i++) {
      double x = r[i];
      if (!endedWithEos[i]) {
        x += noEosPenalty;
      }
      if (rewardClip > 0) {
        x = Math.max(-rewardClip, Math.min(rewardClip, x));
      }
      r[i] = (float) x;
    }
    return r;
  }
}
