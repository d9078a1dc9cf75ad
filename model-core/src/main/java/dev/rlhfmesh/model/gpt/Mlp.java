package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The position-wise feed-forward network: {@code c_proj(gelu(c_fc(x)))}, C → 4C → C. */
final class Mlp {
  private final Conv1D cFc;
  private final Conv1D cProj;
  private final ModelConstants k;
  private final boolean exactGelu;

  Mlp(Conv1D cFc, Conv1D cProj, ModelConstants constants, boolean exactGelu) {
    this.cFc = cFc;
    this.cProj = cProj;
    this.k = constants;
    this.exactGelu = exactGelu;
  }

  NDArray forward(NDArray x, boolean trainable) {
    NDArray h = cFc.forward(x, trainable); // (B, T, 4C)
    h = exactGelu ? Activation.gelu(h) : geluNew(h, k);
    return cProj.forward(h, trainable); // (B, T, C)
  }

  /**
   * Rows from which torch's own gelu (one op with a fixed cost of a few µs) beats {@link
   * #geluInPlace}'s five small ones. Measured on the small default (4C = 512), five ops vs torch's:
   * 8 rows 7.2 vs 7.6 µs, 16 rows 9.5 vs 8.6, 32 rows 14.4 vs 10.6, 64 rows 24.7 vs 14.2.
   */
  static final int TORCH_GELU_ROWS = 16;

  /** {@link #forward} for rows of a decoding step or prefill pass (inference): x (B, C). */
  NDArray step(NDArray x) {
    NDArray h = cFc.step(x); // (B, 4C)
    if (!exactGelu) {
      h = geluNewInPlace(h, k);
    } else if (h.getShape().get(0) >= TORCH_GELU_ROWS) {
      h = Activation.gelu(h);
    } else {
      h = geluInPlace(h, k);
    }
    return cProj.step(h); // (B, C)
  }

  /**
   * Exact gelu, x · ½ (1 + erf(x / √2)), as torch computes it, for small inference tensors: torch's
   * own gelu goes through a oneDNN primitive with ~4 µs of fixed cost, more than these five
   * elementwise calls (three in place) take together. Inference only (in-place ops).
   */
  static NDArray geluInPlace(NDArray x, ModelConstants k) {
    NDArray e = x.mul(k.sqrtHalf).erf(); // erf(x / √2)
    return e.addi(k.one).muli(x).muli(k.half);
  }

  /**
   * GPT-2's {@code gelu_new}: 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x³))), written as the equal x
   * σ(x (a + b x²)) with a = 2 sqrt(2/π), b = a · 0.044715 (one op fewer). Constants are tensors
   * kept alive by the model (never Java scalars: see TOOLCHAIN-NOTES pitfall 1).
   */
  static NDArray geluNew(NDArray x, ModelConstants k) {
    NDArray inner = x.mul(x).mul(k.geluB).add(k.geluA).mul(x);
    return Activation.sigmoid(inner).mul(x);
  }

  /** {@link #geluNew} with the same ops in the same order, four of them in place (inference). */
  static NDArray geluNewInPlace(NDArray x, ModelConstants k) {
    NDArray inner = x.mul(x).muli(k.geluB).addi(k.geluA).muli(x);
    return Activation.sigmoid(inner).muli(x);
  }

  void dropViews() {
    cFc.dropViews();
    cProj.dropViews();
  }
}
