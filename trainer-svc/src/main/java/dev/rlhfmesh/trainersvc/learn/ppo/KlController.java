package dev.rlhfmesh.trainersvc.learn.ppo;

/**
 * The KL coefficient β of the per-token penalty.
 *
 * <ul>
 *   <li>{@link Fixed}: β stays constant (what worked best in DEMO-NOTES, β = 0.3).
 *   <li>{@link Adaptive}: Ziegler et al., "Fine-Tuning Language Models from Human Preferences",
 *       2019, §2.2: {@code e = clip(KL / KL_target − 1, −0.2, 0.2); β ← β (1 + e · n / horizon)}, n
 *       the number of samples of the batch just seen.
 * </ul>
 *
 * State is the current β only: {@link #beta()} saved, {@link #restore(double)} on resume.
 */
public sealed interface KlController permits KlController.Fixed, KlController.Adaptive {

  double beta();

  /** After an iteration: {@code kl} is the observed mean KL per sequence over {@code n} samples. */
  void update(double kl, int n);

  /** Sets β from a checkpoint. */
  void restore(double beta);

  static KlController of(boolean adaptive, double beta, double target, double horizon) {
    return adaptive ? new Adaptive(beta, target, horizon) : new Fixed(beta);
  }

  /** Constant β. */
  final class Fixed implements KlController {
    private double beta;

    public Fixed(double beta) {
      if (!(beta >= 0)) {
        throw new IllegalArgumentException("beta must be >= 0: " + beta);
      }
      this.beta = beta;
    }

    @Override
    public double beta() {
      return beta;
    }

    @Override
    public void update(double kl, int n) {}

    @Override
    public void restore(double beta) {
      this.beta = beta;
    }
  }

  /** Proportional controller towards a target KL. */
  final class Adaptive implements KlController {
    private final double target;
    private final double horizon;
    private double beta;

    public Adaptive(double initBeta, double target, double horizon) {
      if (!(initBeta >= 0) || !(target > 0) || !(horizon > 0)) {
        throw new IllegalArgumentException(
            "need beta >= 0, target > 0, horizon > 0: "
                + initBeta
                + ", "
                + target
                + ", "
                + horizon);
      }
      this.beta = initBeta;
      this.target = target;
      this.horizon = horizon;
    }

    @Override
    public double beta() {
      return beta;
    }

    @Override
    public void update(double kl, int n) {
      double error = Math.max(-0.2, Math.min(0.2, kl / target - 1));
      beta *= 1 + error * n / horizon;
    }

    @Override
    public void restore(double beta) {
      this.beta = beta;
    }
  }
}
