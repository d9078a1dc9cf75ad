package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.rlhfmesh.model.GptConfig;
import java.nio.ByteBuffer;
import java.util.TreeSet;

/**
 * A preallocated, slot-based key/value cache: per layer one tensor (2, maxSlots, H, maxLen, D)
 * holding the keys ([0]) and the values ([1]) of every slot (views of one block holding all
 * layers), so that a decoding step writes both with one op. Each sequence owns a slot with its own
 * length, so sequences of different lengths decode together, a finished sequence frees its slot
 * without moving the others, and a new sequence can join a free slot between steps (continuous
 * batching).
 *
 * <p>Not thread-safe: one decoding thread owns a cache.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] entries; // per layer (2, slots, H, maxLen, D)
  private final NDArray[] keys; // views: (slots, H, maxLen, D)
  private final NDArray[] values;
  private final NDArray[] headKeys; // views: (slots * H, maxLen, D)
  private final NDArray[] headValues;
  private final int heads;
  private final NDArray[][] keysTByLength; // [layer][S]: (hi * H, D, S) views, made on first use
  private final NDArray[][] valuesByLength; // [layer][S]: (hi * H, S, D) views
  private int viewsHi = -1; // the kept views cover slots [0, viewsHi)
  private final int maxSlots;
  private final int maxLen;
  private final int[] lengths;
  private final boolean[] allocated;
  private final TreeSet<Integer> free = new TreeSet<>();
  private final NDArray all; // (layers, 2, slots, H, maxLen, D): every layer's entries
  private final boolean nativeLayout; // float32 on the CPU: NativeStep can use it
  private ByteBuffer buffer; // over all, made on first use
  private boolean closed;

  /**
   * @param parent manager whose child will own the cache tensors
   * @param config model shape (layers, heads, head size)
   * @param maxSlots concurrent sequences
   * @param maxLen tokens per sequence (prompt + generated), at most n_positions
   */
  public KvCache(NDManager parent, GptConfig config, int maxSlots, int maxLen) {
    if (maxSlots < 1 || maxLen < 1 || maxLen > config.nPositions()) {
      throw new IllegalArgumentException(
          "need 1 <= maxSlots and 1 <= maxLen <= n_positions (" + config.nPositions() + ")");
    }
    this.manager = parent.newSubManager();
    this.maxSlots = maxSlots;
    this.maxLen = maxLen;
    int layers = config.nLayer();
    long h = config.nHead();
    long d = config.headDim();
    entries = new NDArray[layers];
    keys = new NDArray[layers];
    values = new NDArray[layers];
    headKeys = new NDArray[layers];
    headValues = new NDArray[layers];
    heads = config.nHead();
    keysTByLength = new NDArray[layers][maxLen + 1];
    valuesByLength = new NDArray[layers][maxLen + 1];
    all = manager.zeros(new Shape(layers, 2, maxSlots, h, maxLen, d)); // one block: one buffer
    for (int l = 0; l < layers; l++) {
      entries[l] = all.get(l); // (2, slots, H, maxLen, D) view
      keys[l] = entries[l].get(0); // (slots, H, maxLen, D) view
      values[l] = entries[l].get(1);
      // one (maxLen, D) matrix per (slot, head): a step's attention is two batched matmuls
      headKeys[l] = keys[l].reshape(maxSlots * h, maxLen, d); // view
      headValues[l] = values[l].reshape(maxSlots * h, maxLen, d);
    }
    nativeLayout = NativeStep.kernelLayout(all);
    lengths = new int[maxSlots];
    allocated = new boolean[maxSlots];
    for (int s = 0; s < maxSlots; s++) {
      free.add(s);
    }
  }

  /** Takes the lowest free slot (length 0), or throws when all are in use. */
  public int allocate() {
    Integer s = free.pollFirst();
    if (s == null) {
      throw new IllegalStateException("all " + maxSlots + " cache slots are in use");
    }
    allocated[s] = true;
    lengths[s] = 0;
    return s;
  }

  /** Releases a slot; its stale contents are overwritten by the next owner. */
  public void free(int slot) {
    if (!isAllocated(slot)) {
      throw new IllegalArgumentException("slot " + slot + " is not allocated");
    }
    allocated[slot] = false;
    lengths[slot] = 0;
    free.add(slot); // lowest slots are reused first, so active rows stay in a compact range
  }

  /** Forgets a slot's tokens but keeps it allocated. */
  public void reset(int slot) {
    lengths[slot] = 0;
  }

  public boolean isAllocated(int slot) {
    return slot >= 0 && slot < maxSlots && allocated[slot];
  }

  /** Tokens held by a slot. */
  public int length(int slot) {
    return lengths[slot];
  }

  void setLength(int slot, int length) {
    lengths[slot] = length;
  }

  public int maxSlots() {
    return maxSlots;
  }

  public int maxLen() {
    return maxLen;
  }

  public int freeSlots() {
    return free.size();
  }

  /** (2, slots, H, maxLen, D): keys and values of a layer. */
  NDArray entries(int layer) {
    return entries[layer];
  }

  /** (slots, H, maxLen, D) keys of a layer (a view of {@link #entries}). */
  NDArray keys(int layer) {
    return keys[layer];
  }

  /** (slots, H, maxLen, D) values of a layer. */
  NDArray values(int layer) {
    return values[layer];
  }

  /** (slots * H, maxLen, D): {@link #keys} with slots and heads merged (a view). */
  NDArray headKeys(int layer) {
    return headKeys[layer];
  }

  /** (slots * H, maxLen, D): {@link #values} with slots and heads merged (a view). */
  NDArray headValues(int layer) {
    return headValues[layer];
  }

  /**
   * (hi * H, D, S): the keys of slots [0, hi) over their first S positions, transposed for q kᵀ. A
   * view made on first use and kept while steps read the same slot range (a continuous batch keeps
   * its sequences in the lowest slots, so that range changes only when its top slot does); a step
   * then needs no view ops of its own.
   */
  NDArray headKeysT(int layer, int hi, int length) {
    keepViewsFor(hi);
    NDArray v = keysTByLength[layer][length];
    if (v == null) {
      try (NDArray rows = headKeys[layer].get(new NDIndex().addSliceDim(0, hi * (long) heads))) {
        try (NDArray first = rows.get(new NDIndex().addAllDim().addSliceDim(0, length))) {
          v = first.swapAxes(1, 2); // (hi * H, D, S) view
        }
      }
      keysTByLength[layer][length] = v;
    }
    return v;
  }

  /** (hi * H, S, D): the values of slots [0, hi) over their first S positions; kept as above. */
  NDArray headValues(int layer, int hi, int length) {
    keepViewsFor(hi);
    NDArray v = valuesByLength[layer][length];
    if (v == null) {
      try (NDArray rows = headValues[layer].get(new NDIndex().addSliceDim(0, hi * (long) heads))) {
        v = rows.get(new NDIndex().addAllDim().addSliceDim(0, length));
      }
      valuesByLength[layer][length] = v;
    }
    return v;
  }

  /** Drops the kept views when steps start reading another slot range [0, hi). */
  private void keepViewsFor(int hi) {
    if (hi == viewsHi) {
      return;
    }
    for (NDArray[] byLength : keysTByLength) {
      closeAll(byLength);
    }
    for (NDArray[] byLength : valuesByLength) {
      closeAll(byLength);
    }
    viewsHi = hi;
  }

  private static void closeAll(NDArray[] views) {
    for (int i = 0; i < views.length; i++) {
      if (views[i] != null) {
        views[i].close();
        views[i] = null;
      }
    }
  }

  int heads() {
    return heads;
  }

  /** Whether {@link NativeStep} can read and write this cache (float32 on the CPU). */
  boolean nativeLayout() {
    return nativeLayout;
  }

  /**
   * A direct buffer over every layer's entries, (layers, 2, slots, H, maxLen, D) (no copy: the
   * tensor is contiguous and lives as long as the cache), for {@link NativeStep}.
   */
  ByteBuffer buffer() {
    if (closed) {
      throw new IllegalStateException("the cache is closed");
    }
    if (buffer == null) {
      buffer = JniUtils.getByteBuffer((PtNDArray) all, true);
    }
    return buffer;
  }

  @Override
  public void close() {
    closed = true;
    buffer = null;
    manager.close();
  }
}
