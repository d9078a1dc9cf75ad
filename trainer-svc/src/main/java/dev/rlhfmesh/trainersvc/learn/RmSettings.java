package dev.rlhfmesh.trainersvc.learn;

/**
 * Reward-model settings.
 *
 * @param steps total optimizer steps
 * @param batchSize preference pairs per step
 * @param learningRate peak AdamW rate
 * @param warmupSteps linear warm-up steps
 * @param weightDecay decoupled weight decay on matrices
 * @param gradClip global gradient-norm limit, 0 = off
 * @param minLrRatio final rate / peak rate of the cosine decay
 * @param margin m in −log σ(r_chosen − r_rejected − m); 0 for the plain Bradley–Terry loss
 */
public record RmSettings(
    int steps,
    int batchSize,
    double learningRate,
    int warmupSteps,
    double weightDecay,
    double gradClip,
    double minLrRatio,
    double margin) {

  public RmSettings {
    if (steps <= 0 || batchSize <= 0 || !(learningRate > 0) || warmupSteps < 0) {
      throw new IllegalArgumentException("bad RM settings " + this);
    }
  }

  /** DEMO-NOTES reward-model row: 1,000 steps × 128 pairs, lr 1e-3. */
  public static RmSettings demoDefaults() {
    return new RmSettings(1000, 128, 1e-3, 50, 0.1, 1.0, 0.1, 0.0);
  }
}
