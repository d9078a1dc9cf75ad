package dev.rlhfmesh.rewardsvc.core;

import java.util.Map;

/**
 * One (prompt, response) pair to score. Ids and texts are each optional on the wire; {@link
 * SamplePreparation} fills in what a spec needs before any reward function sees the sample.
 *
 * <p>Null means "not sent" (the adapter maps empty wire fields to null).
 *
 * @param promptIds prompt token ids, or null when the caller sent none
 * @param responseIds response token ids, or null when the caller sent none
 * @param promptText prompt text, or null
 * @param responseText response text, or null; once prepared, without trailing end tokens
 * @param referenceAnswer expected answer for exact-match rules, or null
 * @param metadata free-form labels, never null
 */
public record Sample(
    int[] promptIds,
    int[] responseIds,
    String promptText,
    String responseText,
    String referenceAnswer,
    Map<String, String> metadata) {

  public Sample {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** A response-only sample (tests, benchmarks). */
  public static Sample ofResponseText(String responseText) {
    return new Sample(null, null, null, responseText, null, null);
  }

  public Sample withResponseText(String text) {
    return new Sample(promptIds, responseIds, promptText, text, referenceAnswer, metadata);
  }

  public Sample withPromptText(String text) {
    return new Sample(promptIds, responseIds, text, responseText, referenceAnswer, metadata);
  }

  public Sample withIds(int[] prompt, int[] response) {
    return new Sample(prompt, response, promptText, responseText, referenceAnswer, metadata);
  }

  /** Whether the caller sent a response at all (ids or a non-empty text). */
  public boolean hasResponse() {
    return (responseIds != null && responseIds.length > 0)
        || (responseText != null && !responseText.isEmpty());
  }

  /** Prompt ids followed by response ids: what a reward model reads (prompt may be empty). */
  public int[] sequence() {
    int[] p = promptIds == null ? new int[0] : promptIds;
    int[] r = responseIds == null ? new int[0] : responseIds;
    int[] all = new int[p.length + r.length];
    System.arraycopy(p, 0, all, 0, p.length);
    System.arraycopy(r, 0, all, p.length, r.length);
    return all;
  }
}
