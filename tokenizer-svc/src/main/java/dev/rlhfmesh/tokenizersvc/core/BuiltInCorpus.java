package dev.rlhfmesh.tokenizersvc.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The small corpus shipped in the jar ({@value #RESOURCE}, about 340 KB): two-digit sums like
 * {@code 23+58=81}, short chat-like English lines and greetings, one document per line. Generated
 * by {@code tokenizer-svc/scripts/gen_corpus.py} (fixed seed). The project's default tokenizer is
 * trained on it.
 */
public final class BuiltInCorpus {
  public static final String RESOURCE = "corpus/builtin-corpus.txt";

  /** Vocabulary size of the default tokenizer trained on this corpus. */
  public static final int DEFAULT_VOCAB_SIZE = 1024;

  private BuiltInCorpus() {}

  public static BufferedReader open() throws IOException {
    InputStream in = BuiltInCorpus.class.getClassLoader().getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IOException("built-in corpus missing from the classpath: " + RESOURCE);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /** Trains the default tokenizer on this corpus (deterministic). */
  public static BpeModel trainDefault(int vocabSize) throws IOException {
    ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
    try (BufferedReader r = open()) {
      trainer.addLines(r);
    }
    return trainer.train(
        new ByteLevelBpeTrainer.Options(vocabSize, 2, java.util.List.of()), () -> false);
  }
}
