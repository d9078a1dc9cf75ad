package dev.rlhfmesh.modelsvc.serving;

import java.util.List;
import java.util.Set;

/**
 * Decides after each generated token whether a sample ends: a stop token id (STOP), the model's
 * end-of-sequence id unless ignored (EOS), a stop string in the decoded text (STOP, text cut before
 * it), or the length limits (LENGTH). Stop conditions win over the length limit on the same token.
 */
public final class StopMatcher {
  private final Set<Integer> stopIds;
  private final List<String> stopStrings;
  private final int eosId;
  private final int maxNewTokens;
  private final int maxTotal;
  private final TextDecoder decoder;

  /** The outcome of a check: a reason (null = keep going) and the text to report. */
  public record Verdict(FinishReason reason, String text) {
    static final Verdict CONTINUE = new Verdict(null, "");
  }

  /**
   * @param eosId end-of-sequence id, -1 for none or when ignored
   * @param maxTotal prompt + generated tokens allowed (the context length)
   * @param decoder needed when stop strings are given
   */
  public StopMatcher(
      Set<Integer> stopIds,
      List<String> stopStrings,
      int eosId,
      int maxNewTokens,
      int maxTotal,
      TextDecoder decoder) {
    if (!stopStrings.isEmpty() && decoder == null) {
      throw new IllegalArgumentException("stop strings need a tokenizer");
    }
    this.stopIds = stopIds;
    this.stopStrings = stopStrings;
    this.eosId = eosId;
    this.maxNewTokens = maxNewTokens;
    this.maxTotal = maxTotal;
    this.decoder = decoder;
  }

  /**
   * @param generated tokens generated so far, the newest last
   * @param count how many of {@code generated} are valid
   * @param promptLength tokens of the prompt
   */
  public Verdict check(int[] generated, int count, int promptLength) {
    int last = generated[count - 1];
    String text = "";
    if (!stopStrings.isEmpty()) {
      text = decoder.decode(java.util.Arrays.copyOf(generated, count));
      int cut = -1;
      for (String s : stopStrings) {
        int at = text.indexOf(s);
        if (at >= 0 && (cut < 0 || at < cut)) {
          cut = at;
        }
      }
      if (cut >= 0) {
        return new Verdict(FinishReason.STOP, text.substring(0, cut));
      }
    }
    if (stopIds.contains(last)) {
      return new Verdict(FinishReason.STOP, text);
    }
    if (last == eosId) {
      return new Verdict(FinishReason.EOS, text);
    }
    if (count >= maxNewTokens || promptLength + count >= maxTotal) {
      return new Verdict(FinishReason.LENGTH, text);
    }
    return stopStrings.isEmpty() ? Verdict.CONTINUE : new Verdict(null, text);
  }
}
