package dev.rlhfmesh.model.generate;

/**
 * One generated continuation.
 *
 * @param tokens generated token ids (the end-of-sequence token included when it was produced)
 * @param logprobs (tokens.length) log-probability of each token under the raw distribution (T=1)
 * @param entropies (tokens.length) entropy (nats) of the raw distribution at each step
 * @param finishReason why generation stopped
 */
public record Generation(
    int[] tokens, float[] logprobs, float[] entropies, FinishReason finishReason) {

  public enum FinishReason {
    /** The end-of-sequence token was produced. */
    STOP,
    /** maxNewTokens reached, or the sequence filled the cache / n_positions. */
    LENGTH
  }
}
