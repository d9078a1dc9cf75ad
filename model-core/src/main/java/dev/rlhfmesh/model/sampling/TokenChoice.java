package dev.rlhfmesh.model.sampling;

/**
 * A chosen token.
 *
 * @param token the token id
 * @param logprob log-probability of the token under the raw model distribution (temperature 1,
 *     log-softmax of the unmodified logits), whatever the sampling settings were
 * @param entropy entropy (nats) of that raw distribution
 */
public record TokenChoice(int token, float logprob, float entropy) {}
