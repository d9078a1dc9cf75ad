package dev.rlhfmesh.tokenizersvc.core;

import dev.rlhfmesh.model.tokenizer.SpecialTokens;
import java.util.List;
import java.util.Map;

/**
 * A trained byte-level BPE tokenizer.
 *
 * @param vocab symbol string to id, ids 0..255 are the bytes, then the special tokens, then merges
 * @param merges merge rules in priority order, each {@code {left, right}} symbol strings
 * @param specialTokens special token content in id order (ids from {@link SpecialTokens#FIRST_ID})
 * @param corpusBytes UTF-8 bytes of the pre-tokenized corpus the merges were learned on
 * @param corpusTokens tokens of that corpus after all merges
 */
public record BpeModel(
    Map<String, Integer> vocab,
    List<String[]> merges,
    List<String> specialTokens,
    long corpusBytes,
    long corpusTokens) {

  /** Number of ids (max id + 1). */
  public int vocabSize() {
    return vocab.size();
  }

  /** Corpus bytes per token after training; above 1 when the merges compress. */
  public double bytesPerToken() {
    return corpusTokens == 0 ? 0 : (double) corpusBytes / corpusTokens;
  }
}
