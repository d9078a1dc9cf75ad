package dev.rlhfmesh.model.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Per-token log-probabilities and entropies as NDArray operations, differentiable (usable inside a
 * {@code GradientCollector}: no Java scalars in the arithmetic).
 */
public final class Logprobs {
  private Logprobs() {}

  /**
   * log softmax(logits)[target] per position.
   *
   * @param logits (B, T, V)
   * @param targets (B, T) integer ids
   * @return (B, T)
   */
  public static NDArray tokenLogprobs(NDArray logits, NDArray targets) {
    NDArray logp = logits.logSoftmax(-1); // (B, T, V)
    NDArray idx = targets.toType(DataType.INT64, false).expandDims(-1); // (B, T, 1)
    return logp.gather(idx, -1).squeeze(-1); // (B, T)
  }

  /**
   * Entropy of softmax(logits) per position, in nats.
   *
   * @param logits (B, T, V)
   * @return (B, T)
   */
  public static NDArray entropy(NDArray logits) {
    NDArray logp = logits.logSoftmax(-1); // (B, T, V)
    return logp.exp().mul(logp).sum(new int[] {-1}).neg(); // (B, T)
  }

  /**
   * Logprobs of each next token of {@code ids} under the logits of the same forward pass: position
   * t of the result is log p(ids[t + 1] | ids[..t]).
   *
   * @param logits (B, T, V) from a forward pass over ids
   * @param ids (B, T)
   * @return (B, T - 1)
   */
  public static NDArray nextTokenLogprobs(NDArray logits, NDArray ids) {
    NDArray predicting = logits.get(new NDIndex(":, :-1")); // (B, T-1, V)
    NDArray targets = ids.get(new NDIndex(":, 1:")); // (B, T-1)
    return tokenLogprobs(predicting, targets);
  }
}
