package dev.rlhfmesh.model.gpt;

/**
 * A cached pass for {@link NativeStep}: every new token of every row is one packed row with a cache
 * slot and a position, whether the row decodes (one token) or joins with a prompt (several); the
 * kernel needs nothing else, so there are no masks, gathers or groups to build.
 */
final class PackedRows {
  final KvCache cache;
  final int[] ids; // (N) token ids
  final int[] slotOf; // (N) cache slot of each packed row
  final int[] positionOf; // (N) its position within the slot
  final int[] last; // (B) packed row of each row's last token, in the caller's order
  private final int[] slots; // (B) the caller's rows
  private final int[] ends; // (B) each slot's length after the pass

  private PackedRows(KvCache cache, int[] slots, int[][] tokens) {
    this.cache = cache;
    this.slots = slots;
    int b = slots.length;
    int n = 0;
    for (int i = 0; i < b; i++) {
      DecodeStep.requireAllocated(cache, slots[i]);
      if (tokens[i].length < 1) {
        throw new IllegalArgumentException("row " + i + " has no tokens");
      }
      DecodeStep.requireRoom(cache, slots[i], cache.length(slots[i]) + tokens[i].length);
      n += tokens[i].length;
    }
    DecodeStep.rowsOfRange(slots, 0, cache.maxSlots()); // rejects a slot given twice
    slotOf = new int[n];
    positionOf = new int[n];
    ids = new int[n];
    ends = new int[b];
    last = new int[b];
    for (int i = 0, p = 0; i < b; i++) {
      int start = cache.length(slots[i]);
      for (int q = 0; q < tokens[i].length; q++, p++) {
        slotOf[p] = slots[i];
        positionOf[p] = start + q;
        ids[p] = tokens[i][q];
      }
      last[i] = p - 1;
      ends[i] = start + tokens[i].length;
    }
  }

  /** Validates the rows (each at least one token, slots allocated, distinct and with room). */
  static PackedRows of(KvCache cache, int[] slots, int[][] tokens) {
    if (slots.length != tokens.length || slots.length == 0) {
      throw new IllegalArgumentException(slots.length + " slots but " + tokens.length + " rows");
    }
    return new PackedRows(cache, slots, tokens);
  }

  /** After the pass: the slots now hold their new tokens. */
  void commit() {
    for (int i = 0; i < slots.length; i++) {
      cache.setLength(slots[i], ends[i]);
    }
  }
}
