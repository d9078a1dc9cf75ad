package dev.rlhfmesh.bench;

import dev.rlhfmesh.model.GptConfig;

/**
 * Floating-point operations of a PPO learn step on a GPT-2, counted from the matmuls (the rest —
 * LayerNorm, softmax, GELU, Adam — is a few percent at this size and is left out, so the achieved
 * GFLOP/s is a slight under-estimate).
 *
 * <p>Forward FLOPs of one sequence of length L, per layer: QKV 2·L·C·3C, attention scores and
 * weighted sum 2·2·L²·C (full square, as eager attention computes it), output projection 2·L·C²,
 * MLP 2·2·L·C·I; plus the LM head 2·L·C·V. Backward costs twice the forward (gradients with respect
 * to inputs and weights), so a training pass is 3× forward (Kaplan et al. 2020, "6N per token").
 */
public final class LearnStepFlops {
  private LearnStepFlops() {}

  /** Forward FLOPs of {@code rows} sequences of {@code len} tokens. */
  public static double forward(GptConfig c, int rows, int len) {
    double l = len;
    double e = c.nEmbd();
    double perLayer =
        2 * l * e * 3 * e + 2 * 2 * l * l * e + 2 * l * e * e + 2 * 2 * l * e * c.nInner();
    double head = 2 * l * e * c.vocabSize();
    return rows * (c.nLayer() * perLayer + head);
  }

  /**
   * A PPO learn step: one no-grad forward over the batch (old logprobs and values) plus {@code
   * epochs} passes of forward + backward over it.
   */
  public static double ppoLearnStep(GptConfig c, int rollouts, int len, int epochs) {
    double f = forward(c, rollouts, len);
    return f + epochs * 3 * f;
  }
}
