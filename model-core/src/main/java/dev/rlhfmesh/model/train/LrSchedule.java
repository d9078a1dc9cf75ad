package dev.rlhfmesh.model.train;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmupSteps}, then cosine decay to {@code
 * minRatio} × peak at {@code totalSteps} (constant afterwards). Steps count from 0.
 */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {
  public LrSchedule {
    if (peak < 0 || warmupSteps < 0 || totalSteps < warmupSteps || minRatio < 0 || minRatio > 1) {
      throw new IllegalArgumentException(
          "bad schedule: peak "
              + peak
              + ", warmup "
              + warmupSteps
              + ", total "
              + totalSteps
              + ", min ratio "
              + minRatio
              + " (need peak >= 0, 0 <= warmup <= total, min ratio in [0, 1])");
    }
  }

  public static LrSchedule constant(double lr) {
    return new LrSchedule(lr, 0, 0, 1);
  }

  /** Learning rate for step {@code step} (0-based). */
  public double at(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    if (totalSteps <= warmupSteps || step >= totalSteps) {
      return totalSteps <= warmupSteps ? peak : peak * minRatio;
    }
    double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
    double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
    return peak * (minRatio + (1 - minRatio) * cosine);
  }
}
