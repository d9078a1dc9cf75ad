package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * What every layer of one decoding step shares when each row appends exactly one token to its cache
 * slot: where the new keys/values go, which cache rows attention reads, and the mask.
 *
 * <p>Rows are read as the contiguous slot range [lo, hi) covering the requested slots, as (R·H, S,
 * D) views of the first S = max(length) + 1 positions (no copy; a step over slots [0, hi) reuses
 * the views the cache keeps for that range and length). In <em>lockstep</em> (rows are the slots
 * lo, lo+1, ... in order, all of the same length) nothing needs masking and each layer writes its
 * keys and values with one op. Otherwise an (R·H, 1, S) additive mask hides each row's unused
 * positions, the new keys/values are scattered with one advanced-index write, and queries / outputs
 * are gathered to and from range order when the slots have holes or another order.
 */
final class DecodeStep {
  final NDManager manager; // the step's: every array made here belongs to it
  final KvCache cache;
  final int[] slots; // (B) cache slot of each batch row
  final int[] starts; // (B) cache length of each slot before this step = the new token's position
  final int lo; // first slot of the range read
  final int hi; // one past the last slot of the range read
  final int keyLen; // S: positions read, max(starts) + 1
  final boolean lockstep; // slots lo..lo+B-1 in order, equal starts
  final NDArray bias; // (R * H, 1, S) additive mask, or null when nothing needs masking
  final NDArray toRange; // (R) batch row feeding each range row, or null
  final NDArray fromRange; // (B) range row of each batch row, or null
  private final NDIndex scatter; // [:, slot_i, :, start_i, :] for non-lockstep writes, or null

  private DecodeStep(NDManager manager, KvCache cache, int[] slots) {
    this.manager = manager;
    this.cache = cache;
    this.slots = slots;
    int b = slots.length;
    starts = new int[b];
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    int longest = 0;
    boolean sameStart = true;
    for (int i = 0; i < b; i++) {
      requireAllocated(cache, slots[i]);
      starts[i] = cache.length(slots[i]);
      requireRoom(cache, slots[i], starts[i] + 1);
      longest = Math.max(longest, starts[i] + 1);
      min = Math.min(min, slots[i]);
      max = Math.max(max, slots[i] + 1);
      sameStart &= starts[i] == starts[0];
    }
    lo = min;
    hi = max;
    keyLen = longest;
    int r = hi - lo;
    int[] rowOfRange = rowsOfRange(slots, lo, r);
    boolean inOrder = r == b;
    for (int i = 0; i < b; i++) {
      inOrder &= slots[i] == lo + i;
    }
    lockstep = inOrder && sameStart;
    if (inOrder) {
      toRange = null;
      fromRange = null;
    } else {
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
    if (lockstep) {
      bias = null;
      scatter = null;
    } else {
      int h = cache.heads();
      float[] m = new float[r * h * keyLen]; // the same row for each head of a range row
      for (int j = 0; j < r; j++) {
        int i = rowOfRange[j];
        int limit = i < 0 ? keyLen - 1 : starts[i]; // holes: anything finite
        for (int head = 0; head < h; head++) {
          int row = (j * h + head) * keyLen;
          Arrays.fill(m, row + limit + 1, row + keyLen, CausalSelfAttention.MASKED);
        }
      }
      bias = manager.create(m, new Shape((long) r * h, 1, keyLen));
      long[] slotIds = new long[b];
      long[] positions = new long[b];
      for (int i = 0; i < b; i++) {
        slotIds[i] = slots[i];
        positions[i] = starts[i];
      }
      scatter =
          new NDIndex()
              .addAllDim()
              .addIndices("{}", manager.create(slotIds))
              .addAllDim()
              .addIndices("{}", manager.create(positions))
              .addAllDim();
    }
  }

  static void requireAllocated(KvCache cache, int slot) {
    if (!cache.isAllocated(slot)) {
      throw new IllegalArgumentException("slot " + slot + " is not allocated");
    }
  }

  static void requireRoom(KvCache cache, int slot, int length) {
    if (length > cache.maxLen()) {
      throw new IllegalArgumentException(
          "slot " + slot + " would hold " + length + " tokens, cache maxLen " + cache.maxLen());
    }
  }

  /**
   * The batch row of each row of the slot range [lo, lo + r), -1 for slots not in the batch; a slot
   * given twice is an error.
   */
  static int[] rowsOfRange(int[] slots, int lo, int r) {
    int[] rowOfRange = new int[r];
    Arrays.fill(rowOfRange, -1);
    for (int i = 0; i < slots.length; i++) {
      if (rowOfRange[slots[i] - lo] != -1) {
        throw new IllegalArgumentException("slot " + slots[i] + " appears twice");
      }
      rowOfRange[slots[i] - lo] = i;
    }
    return rowOfRange;
  }

  /** Validates the slots and builds the step's context; arrays go to {@code manager}. */
  static DecodeStep of(NDManager manager, KvCache cache, int[] slots) {
    return new DecodeStep(manager, cache, slots);
  }

  int rows() {
    return slots.length;
  }

  /** Writes the step's keys and values, (B, 2, H, 1, D), at each slot's next position. */
  void write(int layer, NDArray keysValues) {
    NDArray entries = cache.entries(layer); // (2, slots, H, maxLen, D)
    if (lockstep) { // the box [:, lo:hi, :, s, :] of the cache
      int s = starts[0];
      long[] from = {0, lo, 0, s, 0};
      long[] to = {2, hi, Long.MAX_VALUE, s + 1, Long.MAX_VALUE};
      TorchOps.write(entries, TorchOps.swap(keysValues, 0, 1), from, to); // (2, B, H, 1, D)
      return;
    }
    // [:, slot_i, :, start_i, :] selects (B, 2, H, D): the row indices broadcast to the front
    Shape shape = keysValues.getShape();
    NDArray rows = keysValues.reshape(shape.get(0), 2, shape.get(2), shape.get(4));
    TorchOps.write(entries, scatter, rows);
  }

  /** (R * H, D, S) view of the keys of the slot range, transposed: one matrix per (slot, head). */
  NDArray keysT(int layer) {
    if (lo == 0) { // the cache keeps views of the slot ranges [0, hi)
      return cache.headKeysT(layer, hi, keyLen);
    }
    return TorchOps.swap(rowsOf(cache.headKeys(layer)), 1, 2);
  }

  /** (R * H, S, D) view of the values of the slot range. */
  NDArray values(int layer) {
    if (lo == 0) {
      return cache.headValues(layer, hi, keyLen);
    }
    return rowsOf(cache.headValues(layer));
  }

  private NDArray rowsOf(NDArray all) { // all: (slots * H, maxLen, D); lo > 0
    long h = cache.heads();
    NDArray a = TorchOps.slice(all, 0, lo * h, hi * h, manager); // (R * H, maxLen, D)
    return TorchOps.slice(a, 1, 0, keyLen, manager); // (R * H, S, D)
  }

  /** After the last layer: the slots now hold their new token. */
  void commit() {
    for (int i = 0; i < slots.length; i++) {
      cache.setLength(slots[i], starts[i] + 1);
    }
  }
}
