package dev.rlhfmesh.modelsvc.serving;

import java.util.Arrays;
import java.util.SplittableRandom;

/** One sample being generated: its prompt, random stream, tokens so far, slot and weights. */
final class Sequence {
  final GenerationJob job;
  final int promptIndex;
  final int sampleIndex;
  final int[] prompt;
  final SplittableRandom rng;
  final StopMatcher stop;
  Weights weights;
  long version = -1;
  int slot = -1;
  int[] tokens = new int[16];
  int count;

  /** Set once when the sequence gives back its admission place (decode thread only). */
  boolean ended;

  Sequence(
      GenerationJob job,
      int promptIndex,
      int sampleIndex,
      int[] prompt,
      SplittableRandom rng,
      StopMatcher stop) {
    this.job = job;
    this.promptIndex = promptIndex;
    this.sampleIndex = sampleIndex;
    this.prompt = prompt;
    this.rng = rng;
    this.stop = stop;
  }

  void append(int token) {
    if (count == tokens.length) {
      tokens = Arrays.copyOf(tokens, count * 2);
    }
    tokens[count++] = token;
  }

  int lastToken() {
    return tokens[count - 1];
  }
}
