package dev.rlhfmesh.trainersvc.learn;

/**
 * Supervised fine-tuning settings.
 *
 * @param steps total optimizer steps (the cosine schedule ends here)
 * @param batchSize sequences per step (used by callers and {@link SftTrainer#evaluate} chunks)
 * @param learningRate peak AdamW rate
 * @param warmupSteps linear warm-up steps
 * @param weightDecay decoupled weight decay on matrices
 * @param gradClip global gradient-norm limit, 0 = off
 * @param minLrRatio final rate / peak rate of the cosine decay
 */
public record SftSettings(
    int steps,
    int batchSize,
    double learningRate,
    int warmupSteps,
    double weightDecay,
    double gradClip,
    double minLrRatio) {

  public SftSettings {
    if (steps <= 0 || batchSize <= 0 || !(learningRate > 0) || warmupSteps < 0) {
      throw new IllegalArgumentException("bad SFT settings " + this);
    }
  }

  /** DEMO-NOTES SFT row: 1,500 steps × 256, lr 3e-3 with warm-up and cosine decay. */
  public static SftSettings demoDefaults() {
    return new SftSettings(1500, 256, 3e-3, 100, 0.1, 1.0, 0.1);
  }
}
