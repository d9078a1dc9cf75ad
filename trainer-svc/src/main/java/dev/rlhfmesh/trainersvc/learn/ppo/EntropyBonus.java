package dev.rlhfmesh.trainersvc.learn.ppo;

import ai.djl.ndarray.NDArray;
import dev.rlhfmesh.model.scoring.Logprobs;

/**
 * Entropy bonus (Mnih et al., "Asynchronous Methods for Deep Reinforcement Learning", 2016; PPO
 * paper eq. 9): the loss gains {@code − c_H · mean_t H(π_θ(·|s_t))} so that a positive coefficient
 * keeps the policy from collapsing early. H in nats over the full vocabulary.
 */
public final class EntropyBonus {
  private EntropyBonus() {}

  /**
   * @param logits (B, T, V) predicting the response tokens, differentiable
   * @param mask (B, T) float 1 = real token
   * @return scalar mean entropy (subtract coef × this from the loss)
   */
  public static NDArray meanEntropy(NDArray logits, NDArray mask) {
    return Masked.mean(Logprobs.entropy(logits), mask);
  }
}
