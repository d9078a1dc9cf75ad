package dev.rlhfmesh.model.gpt;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's (thread-local) autograd recording off for a scope, like {@code torch.no_grad()}.
 * Inference entry points use it so that decoding with a model whose parameters require gradients (a
 * learner generating its own rollouts) does not build graphs.
 */
public final class NoGrad implements AutoCloseable {
  private final boolean previous;

  private NoGrad() {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
  }

  public static NoGrad enter() {
    return new NoGrad();
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
