package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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

  // indices into the (B, 3, ...) split of the fused projection, made once
  private static final NDIndex Q = new NDIndex().addAllDim().addIndices(0);
  private static final NDIndex K = new NDIndex().addAllDim().addIndices(1);
  private static final NDIndex V = new NDIndex().addAllDim().addIndices(2);

  /** Additive bias of masked attention entries (finite, so a row never softmaxes to NaN). */
  static final float MASKED = -1e9f;

  /**
   * Attention over whole sequences x (B, T, C) (training and scoring), autograd-safe.
   *
   * @param bias additive (B or 1, 1, T, T) mask: causality and padding
   * @return (B, T, C)
   */
  NDArray forward(NDArray x, NDArray bias, boolean trainable) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    long c = (long) nHead * headDim;
    NDArray qkv = cAttn.forward(x, trainable); // (B, T, 3C)
    NDArray q;
    NDArray keys;
    NDArray values;
    if (t == 1) {
      // one new token: T = 1 can sit on any axis, so a reshape replaces the transposes
      NDArray split = qkv.reshape(b, 3, nHead, 1, headDim); // (B, 3, H, 1, D)
      q = split.get(Q); // (B, H, 1, D)
      keys = split.get(K); // (B, H, 1, D)
      values = split.get(V); // (B, H, 1, D)
    } else {
      NDArray split = qkv.reshape(b, t, 3, nHead, headDim).transpose(0, 2, 3, 1, 4); // (B,3,H,T,D)
      q = split.get(Q); // (B, H, T, D)
      keys = split.get(K); // (B, H, T, D)
      values = split.get(V); // (B, H, T, D)
    }
    NDArray keysT = keys.swapAxes(2, 3); // (B, H, D, T) view
    NDArray att = q.matMul(keysT).mul(k.attnScale); // (B, H, T, D) x (B, H, D, T) -> (B, H, T, T)
    if (bias != null) {
      att = att.add(bias); // (B, H, T, T) + (B or 1, 1, T, T)
    }
    att = att.softmax(-1);
    NDArray y = att.matMul(values); // (B, H, T, T) x (B, H, T, D) -> (B, H, T, D)
    if (t == 1) {
      y = y.reshape(b, 1, c); // (B, H, 1, D) is laid out as (B, 1, C)
    } else {
      y = y.transpose(0, 2, 1, 3).reshape(b, t, c); // (B, T, H, D) -> (B, T, C)
    }
    return cProj.forward(y, trainable); // (B, T, C)
  }

  private static final long[] Q_KV = {1, 2}; // sizes of q and (k, v) along the split axis

  /**
   * One decoding step, inference only: x (B, C) holds each row's newest token. Its key and value go
   * into the row's cache slot and it attends to every position of the slot so far, as two batched
   * matmuls over (slot, head) pairs.
   *
   * @return (B, C)
   */
  NDArray step(NDArray x, int layer, DecodeStep ctx) {
    return cProj.step(attend(cAttn.step(x), layer, ctx)); // (B, C)
  }

  /**
   * A cached pass, inference only: x (N, C) holds the pass's new tokens, packed (decode rows
   * first). One projection for all of them; attention per group; one output projection.
   *
   * @return (N, C)
   */
  NDArray cached(NDArray x, int layer, CachedPass pass) {
    NDArray qkv = cAttn.step(x); // (N, 3C)
    NDArray y;
    if (pass.prefill == null) {
      y = attend(qkv, layer, pass.decode);
    } else if (pass.decode == null) {
      y = attend(qkv, layer, pass.prefill);
    } else {
      long n = qkv.getShape().get(0);
      int d = pass.decodeRows();
      NDArray yd = attend(TorchOps.slice(qkv, 0, 0, d, pass.manager), layer, pass.decode);
      NDArray yp = attend(TorchOps.slice(qkv, 0, d, n, pass.manager), layer, pass.prefill);
      y = yd.concat(yp); // (N, C)
    }
    return cProj.step(y); // (N, C)
  }

  /** Decode rows' attention: projected qkv (B, 3C) → (B, C), heads side by side. */
  private NDArray attend(NDArray qkv, int layer, DecodeStep ctx) {
    int b = ctx.rows();
    long c = (long) nHead * headDim;
    // T = 1 can sit on any axis, so one reshape (a view) and one split give q and k, v
    NDList parts = TorchOps.split(qkv.reshape(b, 3, nHead, 1, headDim), Q_KV, 1);
    NDArray q = parts.get(0); // (B, 1, H, 1, D)
    ctx.write(layer, parts.get(1)); // (B, 2, H, 1, D)
    if (ctx.toRange != null) {
      q = q.get(ctx.toRange); // (R, 1, H, 1, D)
    }
    int r = ctx.hi - ctx.lo;
    q = q.reshape((long) r * nHead, 1, headDim); // (R * H, 1, D)
    NDArray keysT = ctx.keysT(layer); // (R * H, D, S) view
    NDArray att = q.batchMatMul(keysT).muli(k.attnScale); // (R*H, 1, D) x (R*H, D, S)
    if (ctx.bias != null) {
      att.addi(ctx.bias); // (R * H, 1, S)
    }
    NDArray y = att.softmax(-1).batchMatMul(ctx.values(layer)); // (R*H,1,S) x (R*H,S,D)
    y = y.reshape(r, c); // (R, C): heads side by side, as GPT-2 concatenates them
    if (ctx.fromRange != null) {
      y = y.get(ctx.fromRange); // (B, C)
    }
    return y;
  }

  /**
   * Prefill rows' attention: projected qkv (N, 3C) of the rows' new tokens, packed → (N, C). The
   * keys and values go into the rows' cache slots; the queries, arranged as an (R, T) grid over the
   * slot range, attend to the slots' cache rows under the pass's mask.
   */
  private NDArray attend(NDArray qkv, int layer, PrefillStep ctx) {
    long n = ctx.tokens;
    long r = ctx.hi - ctx.lo;
    long t = ctx.width;
    long c = (long) nHead * headDim;
    NDList parts = TorchOps.split(qkv.reshape(n, 3, nHead, headDim), Q_KV, 1);
    ctx.write(layer, parts.get(1)); // (N, 2, H, D)
    NDArray q = ctx.toGrid(parts.get(0)).reshape(r, t, nHead, headDim); // (R, T, H, D)
    q = TorchOps.swap(q, 1, 2); // (R, H, T, D) view
    NDArray att = q.matMul(ctx.keysT(layer)).muli(k.attnScale); // (R, H, T, D) x (R, H, D, S)
    att.addi(ctx.bias); // (R, H, T, S) + (R, 1, T, S)
    NDArray y = att.softmax(-1).matMul(ctx.values(layer)); // (R, H, T, S) x (R, H, S, D)
    y = TorchOps.swap(y, 1, 2).reshape(r * t, c); // (R, T, H, D) -> (R * T, C)
    return ctx.toPacked(y); // (N, C)
  }

  void dropViews() {
    cAttn.dropViews();
    cProj.dropViews();
  }
}
