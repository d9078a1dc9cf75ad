package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * One cached forward pass over rows that append any number of tokens: rows appending one token
 * (sequences decoding) and rows appending several (prompts joining, or chunks) run together, so
 * that every projection, norm and activation runs once over all N new tokens, packed as (N, C) —
 * decode rows first, then the prefill rows' tokens. Only attention is split: the decode rows attend
 * as in a {@link DecodeStep} (one query each, no padding), the prefill rows as in a {@link
 * PrefillStep}. This is continuous batching's mixed step: a prompt that joins costs about what its
 * tokens add to the batch's matmuls, not a forward pass of its own.
 */
final class CachedPass {
  final NDManager manager;
  final DecodeStep decode; // rows appending one token, or null
  final PrefillStep prefill; // rows appending several, or null
  final long[] ids; // (N) token ids: decode rows, then the prefill rows' tokens
  final long[] positions; // (N) position ids, same order
  private final NDIndex outputRows; // (B) packed row of each row's last token, caller's order

  private CachedPass(NDManager manager, KvCache cache, int[] slots, int[][] tokens) {
    this.manager = manager;
    int b = slots.length;
    int singles = 0;
    for (int[] row : tokens) {
      singles += row.length == 1 ? 1 : 0;
    }
    int[] decodeSlots = new int[singles];
    int[] prefillSlots = new int[b - singles];
    int[][] prefillTokens = new int[b - singles][];
    int[] groupIndex = new int[b]; // index of each row within its group
    for (int i = 0, d = 0, p = 0; i < b; i++) {
      if (tokens[i].length == 1) {
        groupIndex[i] = d;
        decodeSlots[d++] = slots[i];
      } else {
        groupIndex[i] = p;
        prefillSlots[p] = slots[i];
        prefillTokens[p++] = tokens[i];
      }
    }
    decode = singles > 0 ? DecodeStep.of(manager, cache, decodeSlots) : null;
    prefill = singles < b ? PrefillStep.of(manager, cache, prefillSlots, prefillTokens) : null;
    int n = singles + (prefill == null ? 0 : prefill.tokens);
    ids = new long[n];
    positions = new long[n];
    for (int i = 0; i < b; i++) {
      if (tokens[i].length == 1) {
        ids[groupIndex[i]] = tokens[i][0];
        positions[groupIndex[i]] = decode.starts[groupIndex[i]];
      }
    }
    if (prefill != null) {
      System.arraycopy(prefill.ids, 0, ids, singles, prefill.tokens);
      System.arraycopy(prefill.positions, 0, positions, singles, prefill.tokens);
    }
    long[] out = new long[b];
    for (int i = 0; i < b; i++) {
      out[i] = tokens[i].length == 1 ? groupIndex[i] : singles + prefill.last[groupIndex[i]];
    }
    outputRows = new NDIndex().addIndices("{}", manager.create(out));
  }

  /**
   * Validates the rows (each at least one token, slots allocated, distinct and with room) and
   * builds the pass; arrays go to {@code manager}.
   */
  static CachedPass of(NDManager manager, KvCache cache, int[] slots, int[][] tokens) {
    if (slots.length != tokens.length || slots.length == 0) {
      throw new IllegalArgumentException(slots.length + " slots but " + tokens.length + " rows");
    }
    int[] all = slots.clone();
    java.util.Arrays.sort(all);
    for (int i = 1; i < all.length; i++) {
      if (all[i] == all[i - 1]) {
        throw new IllegalArgumentException("slot " + all[i] + " appears twice");
      }
    }
    return new CachedPass(manager, cache, slots, tokens);
  }

  /** Rows of the decode group: the first {@code decode.rows()} packed rows. */
  int decodeRows() {
    return decode == null ? 0 : decode.rows();
  }

  /** Packed rows (N, C) → each row's last new token (B, C), in the caller's row order. */
  NDArray outputs(NDArray packed) {
    return TorchOps.rows(packed, outputRows, manager);
  }

  /** After the last layer: the slots now hold their new tokens. */
  void commit() {
    if (decode != null) {
      decode.commit();
    }
    if (prefill != null) {
      prefill.commit();
    }
  }
}
