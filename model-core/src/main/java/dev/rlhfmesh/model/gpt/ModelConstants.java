package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Scalar constants as 0-d tensors owned by the model's manager. DJL's {@code mul(Number)} frees its
 * temporary scalar tensor while autograd may still reference it (TOOLCHAIN-NOTES pitfall 1); these
 * live as long as the model, so forward passes under a GradientCollector stay safe.
 */
final class ModelConstants {
  final NDArray attnScale; // 1 / sqrt(D)
  final NDArray geluA; // 2 sqrt(2/π)
  final NDArray geluB; // 2 sqrt(2/π) · 0.044715
  final NDArray sqrtHalf; // 1 / sqrt(2)
  final NDArray half; // 0.5
  final NDArray one; // 1

  ModelConstants(NDManager manager, int headDim) {
    attnScale = manager.create((float) (1.0 / Math.sqrt(headDim)));
    double a = 2.0 * Math.sqrt(2.0 / Math.PI);
    geluA = manager.create((float) a);
    geluB = manager.create((float) (a * 0.044715));
    sqrtHalf = manager.create((float) Math.sqrt(0.5));
    half = manager.create(0.5f);
    one = manager.create(1f);
  }
}
