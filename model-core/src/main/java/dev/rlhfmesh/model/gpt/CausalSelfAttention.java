package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Multi-head causal self-attention: one fused QKV projection ({@code c_attn}, C → 3C), softmax(q kᵀ
 * / sqrt(D) + mask) v per head, then the output projection ({@code c_proj}).
 *
 * <p>Masking is one additive bias tensor (0 or -1e9) built once per forward pass and shared by all
 * layers; it covers causality, padding and KV-cache lengths. With a {@link KvCache} the new keys
 * and values are written into each sequence's slot and attention reads views of the slot rows — no
 * per-step concatenation.
 */
final class CausalSelfAttention {
  private final Conv1D cAttn;
  private final Conv1D cProj;
  private final int nHead;
  private final int headDim;
  private final ModelConstants k;

  CausalSelfAttention(Conv1D cAttn, Conv1D cProj, int nHead, int headDim, ModelConstants k) {
    this.cAttn = cAttn;
    this.cProj = cProj;
    this.nHead = nHead;
    this.headDim = headDim;
    this.k = k;
  }

  NDArray forward(NDArray x, int layer, AttentionContext ctx, boolean trainable) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    NDArray qkv = cAttn.forward(x, trainable); // (B, T, 3C)
    qkv = qkv.reshape(b, t, 3, nHead, headDim).transpose(2, 0, 3, 1, 4); // (3, B, H, T, D)
    NDArray q = qkv.get(0); // (B, H, T, D)
    NDArray key = qkv.get(1); // (B, H, T, D)
    NDArray value = qkv.get(2); // (B, H, T, D)
    NDArray keysT;
    NDArray values;
    if (ctx.cache() == null) {
      keysT = key.transpose(0, 1, 3, 2); // (B, H, D, T)
      values = value; // (B, H, T, D)
    } else {
      ctx.write(layer, key, value);
      NDIndex rows = ctx.cacheRows();
      NDArray cachedKeys = ctx.cache().keys(layer).get(rows); // (R, H, S, D) view
      cachedKeys.attach(x.getManager()); // views of cache rows belong to the step
      keysT = cachedKeys.transpose(0, 1, 3, 2); // (R, H, D, S)
      values = ctx.cache().values(layer).get(rows); // (R, H, S, D) view
      values.attach(x.getManager());
      if (ctx.toRange() != null) {
        q = q.get(ctx.toRange()); // (R, H, T, D)
      }
    }
    NDArray att = q.matMul(keysT).mul(k.attnScale); // (R, H, T, S)
    if (ctx.bias() != null) {
      att = att.add(ctx.bias()); // (R, H, T, S) + (R, 1, T, S)
    }
    att = att.softmax(-1);
    NDArray y = att.matMul(values); // (R, H, T, D)
    if (ctx.fromRange() != null) {
      y = y.get(ctx.fromRange()); // (B, H, T, D)
    }
    y = y.transpose(0, 2, 1, 3).reshape(b, t, (long) nHead * headDim); // (B, T, C)
    return cProj.forward(y, trainable); // (B, T, C)
  }

  void dropViews() {
    cAttn.dropViews();
    cProj.dropViews();
  }
}
