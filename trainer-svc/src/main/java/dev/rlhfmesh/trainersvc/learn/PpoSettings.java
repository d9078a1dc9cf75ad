package dev.rlhfmesh.trainersvc.learn;

/**
 * Settings of one RL fine-tuning run (see LEARNING.md for each formula).
 *
 * @param estimator GAE (PPO with critic), GRPO or RLOO
 * @param klBeta initial KL coefficient β (per-token reward penalty for GAE and RLOO, k3 loss term
 *     for GRPO)
 * @param adaptiveKl Ziegler et al.'s adaptive β instead of a fixed one
 * @param targetKl adaptive controller's target KL, nats per sequence
 * @param klHorizon adaptive controller's horizon, samples
 * @param gamma GAE discount γ
 * @param lam GAE λ
 * @param clipRange PPO ratio clip ε
 * @param valueClipRange value clip ε_v (0 = unclipped)
 * @param valueCoef weight of the value loss
 * @param entropyCoef weight of the entropy bonus (0 = off)
 * @param ppoEpochs passes over each batch
 * @param minibatchSize rollouts per optimizer step
 * @param learningRate peak AdamW rate
 * @param warmupSteps warm-up length in ITERATIONS (the rate changes once per learn() call)
 * @param weightDecay decoupled weight decay on matrices
 * @param gradClip global gradient-norm limit, 0 = off
 * @param minLrRatio final rate / peak of the cosine decay (1 = constant rate)
 * @param totalIterations planned learn() calls (end of the cosine decay)
 * @param whitenAdvantages whiten GAE advantages over the batch
 * @param rewardClip clip shaped sequence rewards to ±this (0 = off)
 * @param normalizeRewards running mean/std normalisation of the scores
 * @param noEosPenalty added to the reward of a response that never produced EOS (usually ≤ 0)
 */
public record PpoSettings(
    Estimator estimator,
    double klBeta,
    boolean adaptiveKl,
    double targetKl,
    double klHorizon,
    double gamma,
    double lam,
    double clipRange,
    double valueClipRange,
    double valueCoef,
    double entropyCoef,
    int ppoEpochs,
    int minibatchSize,
    double learningRate,
    int warmupSteps,
    double weightDecay,
    double gradClip,
    double minLrRatio,
    int totalIterations,
    boolean whitenAdvantages,
    double rewardClip,
    boolean normalizeRewards,
    double noEosPenalty) {

  public PpoSettings {
    if (estimator == null
        || !(klBeta >= 0)
        || !(gamma >= 0 && gamma <= 1)
        || !(lam >= 0 && lam <= 1)
        || !(clipRange > 0)
        || ppoEpochs <= 0
        || minibatchSize <= 0
        || !(learningRate > 0)
        || warmupSteps < 0
        || totalIterations < warmupSteps
        || !(minLrRatio >= 0 && minLrRatio <= 1)
        || (adaptiveKl && (!(targetKl > 0) || !(klHorizon > 0)))) {
      throw new IllegalArgumentException("bad PPO settings " + this);
    }
  }

  /**
   * The DEMO-NOTES PPO row: fixed per-token KL β = 0.3, GAE γ = 1 λ = 0.95, whitened advantages,
   * clip 0.2, value clip 0.2, value coefficient 0.1, lr 5e-5 constant, 4 epochs × minibatches of
   * 64, 80 iterations, normalised scores. Adaptive KL (off) would target 6 nats over a
   * 10,000-sample horizon (Ziegler et al.). No-EOS penalty −1.
   */
  public static PpoSettings demoDefaults() {
    return new PpoSettings(
        Estimator.GAE,
        0.3,
        false,
        6.0,
        10_000,
        1.0,
        0.95,
        0.2,
        0.2,
        0.1,
        0.0,
        4,
        64,
        5e-5,
        0,
        0.0,
        1.0,
        1.0,
        80,
        true,
        10.0,
        true,
        -1.0);
  }

  /** The same settings with another estimator (GRPO, RLOO). */
  public PpoSettings withEstimator(Estimator e) {
    return new PpoSettings(
        e,
        klBeta,
        adaptiveKl,
        targetKl,
        klHorizon,
        gamma,
        lam,
        clipRange,
        valueClipRange,
        valueCoef,
        entropyCoef,
        ppoEpochs,
        minibatchSize,
        learningRate,
        warmupSteps,
        weightDecay,
        gradClip,
        minLrRatio,
        totalIterations,
        whitenAdvantages,
        rewardClip,
        normalizeRewards,
        noEosPenalty);
  }
}
