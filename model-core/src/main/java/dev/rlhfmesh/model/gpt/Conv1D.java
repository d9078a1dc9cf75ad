package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/**
 * GPT-2's {@code Conv1D}: an affine map whose weight is stored (in, out), transposed compared with
 * {@code nn.Linear}, so that checkpoints keep Hugging Face's layout. {@code y = x W + b}.
 *
 * <p>Inference calls one fused native {@code linear} (addmm) on a transposed <em>view</em> of the
 * weight made once; the view shares storage, so in-place updates of the weight ({@code copyTo},
 * optimizer steps) stay visible. When the weight records gradients the transpose is taken inside
 * the forward pass instead, so autograd sees it.
 */
final class Conv1D {
  final NDArray weight; // (in, out)
  final NDArray bias; // (out)
  private NDArray weightT; // (out, in) view of weight, inference only

  Conv1D(NDArray weight, NDArray bias) {
    this.weight = weight;
    this.bias = bias;
  }

  NDArray forward(NDArray x, boolean trainable) {
    NDArray wt;
    if (trainable) {
      wt = weight.transpose(); // (out, in), recorded by autograd
      wt.attach(x.getManager()); // freed with the step, not kept by the parameter manager
    } else {
      wt = inferenceWeight();
    }
    return Linear.linear(x, wt, bias).singletonOrThrow(); // (..., out)
  }

  /** Inference on rows x (B, in): one matmul against the stored (in, out) weight, bias in place. */
  NDArray step(NDArray x) {
    return x.matMul(weight).addi(bias); // (B, in) x (in, out) -> (B, out)
  }

  private synchronized NDArray inferenceWeight() {
    if (weightT == null) {
      weightT = weight.transpose(); // (out, in) view, made once
    }
    return weightT;
  }

  synchronized void dropViews() {
    if (weightT != null) {
      weightT.close();
      weightT = null;
    }
  }
}
