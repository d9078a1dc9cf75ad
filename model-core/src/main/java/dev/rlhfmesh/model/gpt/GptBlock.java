package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import java.util.function.UnaryOperator;

/** One pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
final class GptBlock {
  private final NDArray ln1Weight;
  private final NDArray ln1Bias;
  private final CausalSelfAttention attn;
  private final NDArray ln2Weight;
  private final NDArray ln2Bias;
  private final Mlp mlp;
  private final Shape normShape;
  private final float eps;

  GptBlock(
      NDArray ln1Weight,
      NDArray ln1Bias,
      CausalSelfAttention attn,
      NDArray ln2Weight,
      NDArray ln2Bias,
      Mlp mlp,
      float eps) {
    this.ln1Weight = ln1Weight;
    this.ln1Bias = ln1Bias;
    this.attn = attn;
    this.ln2Weight = ln2Weight;
    this.ln2Bias = ln2Bias;
    this.mlp = mlp;
    this.normShape = ln1Weight.getShape();
    this.eps = eps;
  }

  /** Whole sequences x (B, T, C) under the additive attention mask {@code bias}. */
  NDArray forward(NDArray x, NDArray bias, boolean trainable) {
    NDArray h = LayerNorm.layerNorm(x, normShape, ln1Weight, ln1Bias, eps).singletonOrThrow();
    x = x.add(attn.forward(h, bias, trainable)); // (B, T, C)
    h = LayerNorm.layerNorm(x, normShape, ln2Weight, ln2Bias, eps).singletonOrThrow();
    return x.add(mlp.forward(h, trainable)); // (B, T, C)
  }

  /**
   * One decoding step (inference): x (B, C) holds each row's newest token. The residual adds run in
   * place on the sublayers' fresh outputs (x + f(x) = f(x) + x, bit for bit).
   */
  NDArray step(NDArray x, int layer, DecodeStep ctx) {
    return inference(x, h -> attn.step(h, layer, ctx)); // (B, C)
  }

  /** A cached pass (inference): x (N, C) holds the pass's new tokens, packed. */
  NDArray cached(NDArray x, int layer, CachedPass pass) {
    return inference(x, h -> attn.cached(h, layer, pass)); // (N, C)
  }

  /** The block over rows x (N, C) with the given attention, residual adds in place. */
  private NDArray inference(NDArray x, UnaryOperator<NDArray> attention) {
    NDArray h = LayerNorm.layerNorm(x, normShape, ln1Weight, ln1Bias, eps).singletonOrThrow();
    x = attention.apply(h).addi(x); // (N, C)
    h = LayerNorm.layerNorm(x, normShape, ln2Weight, ln2Bias, eps).singletonOrThrow();
    return mlp.step(h).addi(x); // (N, C)
  }

  void dropViews() {
    attn.dropViews();
    mlp.dropViews();
  }
}
