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
    NDIndex cacheRows, // (lo:lo+R, :, 0:S)
    NDArray toRange, // (R) batch row feeding each range row, or null
    NDArray fromRange) { // (B) range row of each batch row, or null

  static final float MASKED = -1e9f;

  static AttentionContext causal(NDArray bias) {
    return new AttentionContext(bias, null, null, null, null, null, null, null);
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
    NDIndex rows = new NDIndex("{}:{}, :, 0:{}", lo, hi, keyLen);
    return new AttentionContext(bias, cache, slots, starts, counts, rows, toRange, fromRange);
  }

  /** Writes this pass's keys and values (B, H, T, D) into the cache slots. */
  void write(int layer, NDArray key, NDArray value) {
    int t = (int) key.getShape().get(2);
    if (slots.length == 1 && counts[0] == t) {
      NDIndex at = new NDIndex("{}:{}, :, {}:{}", slots[0], slots[0] + 1, starts[0], starts[0] + t);
      cache.keys(layer).set(at, key);
      cache.values(layer).set(at, value);
      return;
    }
    for (int i = 0; i < slots.length; i++) {
      NDIndex at =
          new NDIndex("{}:{}, :, {}:{}", slots[i], slots[i] + 1, starts[i], starts[i] + counts[i]);
      NDIndex row = new NDIndex("{}:{}, :, 0:{}", i, i + 1, counts[i]);
      cache.keys(layer).set(at, key.get(row));
      cache.values(layer).set(at, value.get(row));
    }
  }

  /** After the last layer: the slots now hold their new tokens. */
  void commit() {
    for (int i = 0; i < slots.length; i++) {
      cache.setLength(slots[i], starts[i] + counts[i]);
    }
  }
}
