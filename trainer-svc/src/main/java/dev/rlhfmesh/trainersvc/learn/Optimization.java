package dev.rlhfmesh.trainersvc.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.train.AdamW;
import dev.rlhfmesh.model.train.GradClip;
import java.util.Map;

/**
 * One optimizer step as every trainer here takes it: clip the global gradient norm, then AdamW
 * (model-core's, β = (0.9, 0.95), eps 1e-8, decoupled weight decay on matrices) at a given rate.
 * Runs after {@code backward()} and outside the {@code GradientCollector}.
 */
final class Optimization implements AutoCloseable {
  private final AdamW adam;
  private final double gradClip;

  /** What one step did. */
  record Step(double lr, double gradNorm) {}

  Optimization(NDManager parent, double weightDecay, double gradClip) {
    this.adam = new AdamW(parent, 0.9, 0.95, 1e-8, weightDecay);
    this.gradClip = gradClip;
  }

  /** Clips (when gradClip &gt; 0), updates every parameter with a gradient, zeroes gradients. */
  Step step(Map<String, NDArray> params, double lr) {
    double norm =
        gradClip > 0
            ? GradClip.clipGlobalNorm(params.values(), gradClip)
            : GradClip.globalNorm(params.values());
    adam.step(params, lr);
    return new Step(lr, norm);
  }

  /** Optimizer steps taken so far (restored from checkpoints). */
  long steps() {
    return adam.stepCount();
  }

  AdamW adam() {
    return adam;
  }

  @Override
  public void close() {
    adam.close();
  }
}
