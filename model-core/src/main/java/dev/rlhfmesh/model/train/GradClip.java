package dev.rlhfmesh.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collection;

/**
 * Clipping by global L2 norm over all gradients: if ||g|| > maxNorm, every gradient is scaled by
 * maxNorm / ||g||. Runs after {@code backward()}, outside autograd, so Java scalars are safe here.
 */
public final class GradClip {
  private GradClip() {}

  /** Global L2 norm of the gradients of {@code params} (parameters without gradient skipped). */
  public static double globalNorm(Collection<NDArray> params) {
    double sq = 0;
    for (NDArray p : params) {
      if (!p.hasGradient()) {
        continue;
      }
      try (NDManager m = p.getManager().newSubManager()) {
        NDArray g = p.getGradient();
        g.attach(m); // getGradient returns a new handle each call
        sq += g.square().sum().getFloat();
      }
    }
    return Math.sqrt(sq);
  }

  /**
   * Scales gradients in place so their global norm is at most {@code maxNorm}.
   *
   * @return the norm before clipping
   */
  public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
    double norm = globalNorm(params);
    if (norm > maxNorm && norm > 0) {
      float scale = (float) (maxNorm / (norm + 1e-6));
      for (NDArray p : params) {
        if (!p.hasGradient()) {
          continue;
        }
        try (NDManager m = p.getManager().newSubManager()) {
          NDArray g = p.getGradient();
          g.attach(m);
          g.muli(scale);
        }
      }
    }
    return norm;
  }
}
