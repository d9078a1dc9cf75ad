package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * What every attention layer of one forward pass shares: the additive mask bias and, in cached
 * mode, where the new keys/values go and which cache rows to read.
 *
 * <p>Cached mode reads the contiguous slot range [lo, lo + R) that covers the requested slots, as a
 * view (no copy). When the requested slots are not exactly that range (holes, or another order),
 * queries are gathered into range order ({@code toRange}, a small (R, H, T, D) copy) and outputs
 * gathered back ({@code fromRange}); the cache itself is never copied.
 */
record AttentionContext(
    NDArray bias, // (R, 1, T, S) additive mask, or null when nothing needs masking
    KvCache cache, // null: plain causal forward
    int[] slots, // (B) cache slot of each batch row
    int[] starts, // (B) cache length of each slot before this pass
    int[] counts, // (B) valid new tokens of each row (rows are right-padded to T)
    NDIndex keyRows, // (lo:lo+R, :, 0:S) of the keys cache (slots, H, maxLen, D)
    NDIndex valueRows, // (lo:lo+R, :, 0:S) of the values cache (slots, H, maxLen, D)
    NDArray toRange, // (R) batch row feeding each range row, or null
    NDArray fromRange, // (B) range row of each batch row, or null
    boolean lockstep) { // consecutive slots, same start, full rows: one cache write per layer

  static final float MASKED = -1e9f;

  static AttentionContext causal(NDArray bias) {
    return new AttentionContext(bias, null, null, null, null, null, null, null, null, false);
  }

  /** Builds the context for appending {@code counts[i]} tokens to slot {@code slots[i]}. */
  static AttentionContext cached(
      NDManager manager, KvCache cache, int[] slots, int[] counts, int t) {
    int b = slots.length;
    int[] starts = new int[b];
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    int keyLen = 0;
    boolean sameStart = true;
    for (int i = 0; i < b; i++) {
      if (!cache.isAllocated(slots[i])) {
        throw new IllegalArgumentException("slot " + slots[i] + " is not allocated");
      }
      starts[i] = cache.length(slots[i]);
      if (counts[i] < 1 || counts[i] > t) {
        throw new IllegalArgumentException("row " + i + " has " + counts[i] + " tokens");
      }
      int end = starts[i] + counts[i];
      if (end > cache.maxLen()) {
        throw new IllegalArgumentException(
            "slot " + slots[i] + " would hold " + end + " tokens, cache maxLen " + cache.maxLen());
      }
      keyLen = Math.max(keyLen, starts[i] + t);
      lo = Math.min(lo, slots[i]);
      hi = Math.max(hi, slots[i] + 1);
      sameStart &= starts[i] == starts[0];
    }
    keyLen = Math.min(keyLen, cache.maxLen());
    int r = hi - lo;
    boolean inOrder = r == b;
    for (int i = 0; i < b && inOrder; i++) {
      inOrder = slots[i] == lo + i;
    }
    int[] rowOfRange = new int[r]; // batch row for each range row, -1 for holes
    java.util.Arrays.fill(rowOfRange, -1);
    for (int i = 0; i < b; i++) {
      if (rowOfRange[slots[i] - lo] != -1) {
        throw new IllegalArgumentException("slot " + slots[i] + " appears twice");
      }
      rowOfRange[slots[i] - lo] = i;
    }
    NDArray toRange = null;
    NDArray fromRange = null;
    if (!inOrder) {
      long[] to = new long[r];
      for (int j = 0; j < r; j++) {
        to[j] = Math.max(rowOfRange[j], 0);
      }
      long[] from = new long[b];
      for (int i = 0; i < b; i++) {
        from[i] = slots[i] - lo;
      }
      toRange = manager.create(to);
      fromRange = manager.create(from);
    }
    // A bias is needed unless every row sees exactly keys [0, start + q] with start + T = S.
    boolean needBias = !(t == 1 && sameStart && inOrder);
    NDArray bias = null;
    if (needBias) {
      float[] m = new float[r * t * keyLen];
      for (int j = 0; j < r; j++) {
        int i = rowOfRange[j];
        for (int q = 0; q < t; q++) {
          int limit = i < 0 ? keyLen - 1 : starts[i] + q; // holes: anything finite
          int base = (j * t + q) * keyLen;
          for (int s = limit + 1; s < keyLen; s++) {
            m[base + s] = MASKED;
          }
        }
      }
      bias = manager.create(m, new ai.djl.ndarray.types.Shape(r, 1, t, keyLen));
    }
    NDIndex keyRows = new NDIndex().addSliceDim(lo, hi).addAllDim().addSliceDim(0, keyLen);
    NDIndex valueRows = new NDIndex().addSliceDim(lo, hi).addAllDim().addSliceDim(0, keyLen);
    boolean lockstep = inOrder && sameStart;
    for (int i = 0; i < b && lockstep; i++) {
      lockstep = counts[i] == t;
    }
    return new AttentionContext(
        bias, cache, slots, starts, counts, keyRows, valueRows, toRange, fromRange, lockstep);
  }

  /** Writes this pass's keys and values, each (B, H, T, D), into the cache slots. */
  void write(int layer, NDArray keys, NDArray values) {
    int t = (int) values.getShape().get(2);
    if (lockstep) { // rows are the slot range [slots[0], slots[0] + B): one write each
      int lo = slots[0];
      int hi = lo + slots.length;
      int s = starts[0];
      cache
          .keys(layer)
          .set(new NDIndex().addSliceDim(lo, hi).addAllDim().addSliceDim(s, s + t), keys);
      cache
          .values(layer)
          .set(new NDIndex().addSliceDim(lo, hi).addAllDim().addSliceDim(s, s + t), values);
      return;
    }
    for (int i = 0; i < slots.length; i++) {
      int c = counts[i];
      NDIndex row = new NDIndex().addSliceDim(i, i + 1).addAllDim().addSliceDim(0, c);
      cache.keys(layer).set(cacheIndex(slots[i], starts[i], c), keys.get(row));
      cache.values(layer).set(cacheIndex(slots[i], starts[i], c), values.get(row));
    }
  }

  private static NDIndex cacheIndex(int slot, int start, int count) {
    return new NDIndex().addSliceDim(slot, slot + 1).addAllDim().addSliceDim(start, start + count);
  }

  /** After the last layer: the slots now hold their new tokens. */
  void commit() {
    for (int i = 0; i < slots.length; i++) {
      cache.setLength(slots[i], starts[i] + counts[i]);
    }
  }
}
