package dev.rlhfmesh.trainersvc.learn.ppo;

/**
 * Generalized Advantage Estimation (Schulman, Moritz, Levine, Jordan, Abbeel, "High-Dimensional
 * Continuous Control Using Generalized Advantage Estimation", ICLR 2016):
 *
 * <pre>
 * δ_t = r_t + γ V(s_{t+1}) − V(s_t)          (V after the last response token = 0)
 * A_t = δ_t + γ λ A_{t+1}                     (A after the last response token = 0)
 * R_t = A_t + V(s_t)                          (the value target, "returns")
 * </pre>
 *
 * Rows are response tokens of one sequence (ragged or right-padded). Positions whose mask is 0 are
 * padding: they are skipped (the next real position is the successor) and get advantage and return
 * 0. Pure Java over float arrays: no autograd is involved.
 */
public final class Gae {
  private Gae() {}

  /**
   * @param advantages per row, per token
   * @param returns per row, per token (value targets)
   */
  public record Result(float[][] advantages, float[][] returns) {}

  /**
   * @param rewards (B, T) per-token rewards
   * @param values (B, T) V(s_t): the critic's value before emitting token t
   * @param mask (B, T) 1 = response token, 0 = padding; null = all real
   * @param gamma discount γ
   * @param lambda GAE λ
   */
  public static Result compute(
      float[][] rewards, float[][] values, float[][] mask, double gamma, double lambda) {
    int b = rewards.length;
    float[][] adv = new float[b][];
    float[][] ret = new float[b][];
    for (int r = 0; r < b; r++) {
      int t = rewards[r].length;
      if (values[r].length != t || (mask != null && mask[r].length != t)) {
        throw new IllegalArgumentException("row " + r + ": rewards, values and mask differ");
      }
      adv[r] = new float[t];
      ret[r] = new float[t];
      double nextValue = 0;
      double nextAdv = 0;
      for (int j = t - 1; j >= 0; j--) {
        if (mask != null && mask[r][j] == 0) {
          continue;
        }
        double delta = rewards[r][j] + gamma * nextValue - values[r][j];
        double a = delta + gamma * lambda * nextAdv;
        adv[r][j] = (float) a;
        ret[r][j] = (float) (a + values[r][j]);
        nextValue = values[r][j];
        nextAdv = a;
      }
    }
    return new Result(adv, ret);
  }
}
