package dev.rlhfmesh.gateway.core;

import io.smallrye.mutiny.Uni;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a stream of token ids into a stream of text that only ever contains whole characters.
 *
 * <p>A byte-level BPE token may hold part of a multi-byte UTF-8 character; decoding it alone gives
 * U+FFFD. So the decoder decodes the ids it has not yet emitted together with the previous window
 * (for context), and emits only what the longer decode adds — and nothing while the decode still
 * ends in U+FFFD (an incomplete character). This is the windowed form of "decode the cumulative ids
 * and emit only the new complete characters" (as in Hugging Face TGI's {@code decode_token}):
 * equivalent for byte-level BPE, but each step decodes a few tokens instead of the whole text. Both
 * windows go in one batched Decode call.
 *
 * <p>Not thread-safe: feed one sample's tokens in order.
 */
public final class IncrementalDecoder {
  private static final char REPLACEMENT = '\uFFFD';

  private final Function<List<int[]>, Uni<List<String>>> decode;
  private int[] ids = new int[32];
  private int size;
  private int prefixOffset;
  private int readOffset;

  /**
   * @param decode decodes a batch of id lists to texts, one per list, in order
   */
  public IncrementalDecoder(Function<List<int[]>, Uni<List<String>>> decode) {
    this.decode = decode;
  }

  /**
   * Adds new ids and answers the text they complete (possibly empty). With {@code last} set,
   * everything left is emitted, even a trailing U+FFFD (bytes that never formed a character).
   */
  public Uni<String> push(int[] newIds, boolean last) {
    append(newIds);
    int[] prefix = Arrays.copyOfRange(ids, prefixOffset, readOffset);
    int[] full = Arrays.copyOfRange(ids, prefixOffset, size);
    if (full.length == prefix.length && !last) {
      return Uni.createFrom().item("");
    }
    if (full.length == 0) {
      return Uni.createFrom().item("");
    }
    List<int[]> batch = prefix.length == 0 ? List.of(full) : List.of(prefix, full);
    final int end = size;
    return decode
        .apply(batch)
        .map(
            texts -> {
              String prefixText = prefix.length == 0 ? "" : texts.get(0);
              String fullText = texts.get(texts.size() - 1);
              boolean incomplete =
                  fullText.length() <= prefixText.length()
                      || fullText.charAt(fullText.length() - 1) == REPLACEMENT;
              if (incomplete && !last) {
                return "";
              }
              prefixOffset = readOffset;
              readOffset = end;
              return fullText.length() > prefixText.length()
                  ? fullText.substring(prefixText.length())
                  : "";
            });
  }

  /** Number of ids seen so far. */
  public int tokenCount() {
    return size;
  }

  private void append(int[] more) {
    if (size + more.length > ids.length) {
      ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
    }
    System.arraycopy(more, 0, ids, size, more.length);
    size += more.length;
  }
}
